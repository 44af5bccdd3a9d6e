package io.sparkrnn.driver.corpus.lm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.engine.model.Sampler;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.train.StreamLoss;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A text prepared for training a language model: read by {@link LmTextReader} on the executors into contiguous
 * training streams, the last share of the text held out; validation is bits per token with the state carried
 * through the held-out text, computed on the driver, beside the {@link Unigram} baseline's on the same tokens.
 * Byte-pair-encoding pieces are scored per piece and per word ({@link LmPieces}), the baseline on the same pieces;
 * the merges are stored with the model ({@link Bpe#INPUT_FILE}).
 */
public final class LmData {
    public static final String VOCAB = "vocab-chars.txt";
    public static final String WORDS = "vocab-words.txt";
    /** Validation tokens the driver holds at most (4 bytes each): a bigger part needs a smaller fraction. */
    public static final int MAX_DRIVER_VALIDATION = 20_000_000;

    private LmData() {
    }

    /** The text of {@code path} in {@code format} ({@code text} or {@code parquet}, its {@code textColumn}). */
    public static LmCorpus read(JavaSparkContext sc, String format, String path, String textColumn, LmOptions o) {
        return format.equals("parquet") ? LmTextReader.readParquet(sc, path, textColumn, o)
                : LmTextReader.read(sc, path, o);
    }

    /** Lanes of the validation stream: up to 16 streams of whole k1 windows. */
    public static int lanes(int tokens, int k1) {
        return Math.max(1, Math.min(16, tokens / (k1 + 1)));
    }

    /**
     * Reads the text into training streams and the held-out tokens; throws {@link CorpusException} for bad or too
     * little data.
     */
    public static PreparedData prepare(JavaSparkContext sc, LmSettings s) {
        return prepare(s, read(sc, s.format(), s.train(), s.textColumn(), s.options()));
    }

    /** As {@link #prepare(JavaSparkContext, LmSettings)}, on a corpus already read (with {@code s}'s options). */
    public static PreparedData prepare(LmSettings s, LmCorpus corpus) {
        LmOptions o = s.options();
        String noun = noun(o.tokens());
        int[] valid;
        try {
            valid = corpus.validationTokens(MAX_DRIVER_VALIDATION);
        } catch (CorpusException e) {
            throw new CorpusException(s.train() + ": " + e.getMessage() + "; lower data.validation-fraction");
        }
        corpus.validation().unpersist(false);
        int k1 = s.k1();
        if (valid.length < 2 * (k1 + 1)) {
            throw new CorpusException(s.train() + ": the validation part has " + valid.length + " " + noun
                    + " tokens, too few for windows of " + k1 + "; raise data.validation-fraction");
        }
        SequenceSpec spec = s.spec().apply(corpus.vocabulary().size());
        SequenceModel model = new SequenceModel(spec);
        int lanes = lanes(valid.length, k1);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(o.tokens() == TokenUnit.CHARS ? VOCAB : WORDS,
                corpus.vocabularyText().getBytes(StandardCharsets.UTF_8));
        if (corpus.bpe() != null) {
            files.put(Bpe.INPUT_FILE, corpus.bpe().toText().getBytes(StandardCharsets.UTF_8));
        }
        String describe = describe(s.train(), corpus, noun, o.bpe() != null);
        VocabularyGrowth.Outcome growth = corpus.growth();
        String metric = "bits_per_" + noun;
        Vocabulary vocab = corpus.vocabulary();
        TokenUnit unit = o.tokens();
        boolean[] ends = unit == TokenUnit.BPE ? LmPieces.wordEnds(vocab) : null;
        return new PreparedData(spec, files, corpus.train(), describe, PreparedData.HeldOut.of(params -> {
            double bits = StreamLoss.bitsPerToken(model, params, valid, lanes, k1);
            ObjectNode details = JsonNodeFactory.instance.objectNode();
            details.set("samples", samples(model, params, valid, vocab, unit));
            if (ends != null) {
                double perWord = LmPieces.bitsPerWord(bits, valid, lanes, k1, ends);
                return Validation.of(bits, metric, bits, "bits_per_word", perWord, "perplexity",
                        Math.pow(2, perWord)).withDetails(details);
            }
            return (unit == TokenUnit.WORDS ? Validation.of(bits, metric, bits, "perplexity", Math.pow(2, bits))
                    : Validation.of(bits, metric, bits)).withDetails(details);
        }, params -> {
            double bits = StreamLoss.bitsPerToken(model, params, valid, lanes, k1);
            double unigram = new Unigram(corpus.trainCounts()).bitsPerToken(valid, lanes, k1);
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("valid_" + metric, bits);
            if (ends != null) {
                double perWord = LmPieces.bitsPerWord(bits, valid, lanes, k1, ends);
                n.put("valid_bits_per_word", perWord);
                n.put("valid_perplexity", Math.pow(2, perWord));
                n.put("valid_unigram_" + metric, unigram);
                n.put("valid_unigram_bits_per_word", LmPieces.bitsPerWord(unigram, valid, lanes, k1, ends));
                n.put("valid_words", LmPieces.scoredWords(valid, lanes, k1, ends));
            } else {
                n.put("valid_perplexity", Math.pow(2, bits));
                n.put("valid_unigram_" + metric, unigram);
            }
            n.set("valid_samples", samples(model, params, valid, vocab, unit));
            if (growth != null) {
                growth.toJson(n.putObject("warm_start_vocabulary"));
            }
            return n;
        }));
    }

    /** Prompts taken from the held-out text, evenly spaced; see {@link #samples}. */
    public static final int SAMPLES = 3;

    /**
     * Text the model generates after fixed prompts from the held-out text, beside what the text holds there:
     * {@link #SAMPLES} rows {@code {source: prompt, reference: the text's continuation, output: the model's}},
     * prompts of 40 characters (10 words) at evenly spaced offsets, continuations of 80 characters (20 words),
     * drawn as {@code predict --prompt} draws them by default (temperature 0.8, all tokens, seed 1).
     */
    static ArrayNode samples(SequenceModel model, FlatParams params, int[] valid, Vocabulary vocab, TokenUnit unit) {
        int prompt = unit == TokenUnit.WORDS ? 10 : unit == TokenUnit.BPE ? 15 : 40;
        int length = unit == TokenUnit.WORDS ? 20 : unit == TokenUnit.BPE ? 30 : 80;
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        int span = prompt + length;
        for (int i = 0; i < SAMPLES && valid.length >= span; i++) {
            int at = (int) ((long) (valid.length - span) * i / SAMPLES);
            int[] p = Arrays.copyOfRange(valid, at, at + prompt);
            ObjectNode r = rows.addObject();
            r.put("source", text(vocab, unit, p));
            r.put("reference", text(vocab, unit, Arrays.copyOfRange(valid, at + prompt, at + span)));
            r.put("output", text(vocab, unit, Sampler.sample(model, params, p, length, 0.8, 0, 1)));
        }
        return rows;
    }

    /**
     * Characters concatenated; words separated by spaces, {@code <eos>} as a line end; pieces joined into words
     * ({@link LmPieces#text}).
     */
    private static String text(Vocabulary vocab, TokenUnit unit, int[] ids) {
        StringBuilder sb = new StringBuilder();
        if (unit == TokenUnit.BPE) {
            LmPieces.text(vocab, ids, sb);
            return sb.toString();
        }
        for (int id : ids) {
            String t = vocab.token(id);
            if (unit == TokenUnit.CHARS) {
                sb.append(t);
            } else if (t.equals(Vocabulary.EOS)) {
                sb.append('\n');
            } else {
                sb.append(sb.length() == 0 || sb.charAt(sb.length() - 1) == '\n' ? "" : " ").append(t);
            }
        }
        return sb.toString();
    }

    /** "char", "word" or "piece", in metric names ({@code bits_per_char}, {@code bits_per_piece}). */
    public static String noun(TokenUnit unit) {
        return unit == TokenUnit.WORDS ? "word" : unit == TokenUnit.BPE ? "piece" : "char";
    }

    private static String describe(String path, LmCorpus c, String noun, boolean parentMerges) {
        String unit = noun.equals("char") ? "characters" : noun + "s";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "corpus %s: %,d %s, vocabulary %d, %,d for "
                + "training, %,d for validation%n", path, c.tokens(), unit, c.vocabulary().size(), c.trainTokens(),
                c.validationTokenCount()));
        if (c.bpe() != null) {
            sb.append(String.format(Locale.ROOT, "  byte-pair encoding %s: %,d merges (%s)%n", Bpe.INPUT_FILE,
                    c.bpe().merges().size(), parentMerges ? "the parent's" : "learned on the text's words"));
        }
        VocabularyGrowth.Outcome g = c.growth();
        if (g != null) {
            sb.append(String.format(Locale.ROOT, "  warm start: the parent's vocabulary, %d token(s) appended; %,d %s "
                    + "(%,d distinct) of this text are not in it and %s%n", g.added(), g.unseen(), unit,
                    g.unseenTypes(), c.unit() != TokenUnit.CHARS ? "map to " + Vocabulary.UNK : "are skipped"));
        }
        if (c.droppedTokens() > 0) {
            sb.append(String.format(Locale.ROOT, "  %,d %s left out (not in the vocabulary)%n", c.droppedTokens(),
                    unit));
        }
        if (c.bad().total() > 0) {
            sb.append("  skipped ").append(c.bad().describe()).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
