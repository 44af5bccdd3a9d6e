package io.sparkrnn.driver.corpus.pairs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Part;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.seq2seq.Hypothesis;
import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Pairs prepared for training an encoder-decoder: split by a seeded hash of the source ({@link Splits#uniform}:
 * below the test fraction test, then the validation fraction validation, the rest training; all pronunciations
 * of a word land in one part); pairs whose source is longer than the limit are skipped and counted. Source and
 * target vocabularies are fitted on the training part. Metrics: token and sequence error rates named after the
 * targets ({@link Seq2SeqScores.Names}) and corpus BLEU-4 ({@link Seq2SeqScores}; word-level targets: sacreBLEU's
 * BLEU and chrF on text, {@link TranslationScores}, with the copy-the-source baseline beside them), greedy and,
 * with a beam wider than 1, beam search; each source is decoded once and scored against the closest of its references
 * ({@link Seq2SeqReferences}). After every validation, {@link #SAMPLES} fixed validation sources are decoded on
 * the driver and written with their reference and output ({@code valid_samples}). A byte-pair-encoded side
 * ({@link Subwords}) is learned on the training part's words and cut into pieces after the split: the vocabularies,
 * ids and the source length limit see pieces, the split, the texts and the scores words.
 */
public final class Seq2SeqData {
    public static final String SOURCE = "vocab-source.txt";
    public static final String TARGET = "vocab-target.txt";

    private Seq2SeqData() {
    }

    /** The batches' line of the description: how many, of what, and their padding ({@code pairs}: training pairs). */
    static String batches(Batching.Stats stats, Seq2SeqSettings s, long pairs) {
        long n = Arrays.stream(stats.batches()).sum();
        return String.format(Locale.ROOT, "batches: %,d of %s on %d partitions, padding %.1f%% of the padded "
                + "tokens (largest %.1f%%)%n", n, s.batchTokens() > 0 ? String.format(Locale.ROOT, "up to %d padded "
                + "tokens (train.batch-tokens; %.1f pairs on average)", s.batchTokens(), (double) pairs / n)
                : s.batch() + " pairs", stats.batches().length,
                100 * stats.meanPaddingShare(), 100 * stats.maxPaddingShare());
    }

    /** The formats {@link #read} reads. */
    public static final List<String> FORMATS = List.of("cmudict", "tsv", "tsv-pairs", "parquet");

    /**
     * The pairs of {@code path} in {@code format} ({@link #FORMATS}); tsv, tsv-pairs and Parquet tokens lower-cased
     * when the reading says so.
     */
    public static Corpus<TextPair> read(JavaSparkContext sc, Seq2SeqSettings.Reading r, String format, String path) {
        double bad = r.maxBadFraction();
        Corpus<TextPair> corpus = switch (format) {
            case "cmudict" -> PairReader.cmudict(sc, path, r.alternates(), bad);
            case "tsv" -> PairReader.tsv(sc, path, r.sourceTokens(), r.targetTokens(), bad);
            case "tsv-pairs" -> PairReader.tsvColumns(sc, path, column(r.sourceColumn()), column(r.targetColumn()),
                    r.sourceTokens(), r.targetTokens(), bad);
            case "parquet" -> PairReader.parquet(sc, path, r.sourceColumn(), r.targetColumn(), r.sourceTokens(),
                    r.targetTokens(), bad);
            default -> throw new IllegalArgumentException("a seq2seq model reads " + String.join(", ", FORMATS)
                    + ", found " + format);
        };
        if (corpus.count() == 0) {
            throw new CorpusException(path + ": no source/target pairs (format " + format + ")");
        }
        if (r.lowercase() && !format.equals("cmudict")) {
            return corpus.map(p -> new TextPair(r.lower(p.source()), r.lower(p.target())));
        }
        return corpus;
    }

    /** A tsv-pairs column: its number from 0; an {@link IllegalArgumentException} for anything else. */
    public static int column(String column) {
        try {
            int c = Integer.parseInt(column.trim());
            if (c >= 0) {
                return c;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("a tsv-pairs column is a column number from 0, found '" + column + "'");
    }

    /**
     * Reads and splits the pairs, fits the vocabularies on the training part and builds the partitions; throws
     * {@link CorpusException} for bad or too little data.
     */
    public static PreparedData prepare(JavaSparkContext sc, Seq2SeqSettings s) {
        return prepare(sc, s, read(sc, s.reading(), s.format(), s.train()));
    }

    /**
     * As {@link #prepare(JavaSparkContext, Seq2SeqSettings)}, with the pairs given (e.g. the rows of a Spark Dataset)
     * instead of read from {@code s.train()}, which then only names them in messages.
     */
    public static PreparedData prepare(JavaSparkContext sc, Seq2SeqSettings s, Corpus<TextPair> read) {
        Split split = split(read.records(), s);
        Subwords sw = split.subwords();
        long seed = s.seed();
        int maxSource = s.maxSourceLength();
        long tooLong = split.tooLong();
        JavaRDD<TextPair> kept = cut(split.kept(), sw);
        JavaRDD<TextPair> train = cut(split.train(), sw);
        JavaRDD<TextPair> valid = split.validation();
        JavaRDD<TextPair> test = split.test();
        int minCount = s.minCount();
        int maxSize = s.maxVocabulary();
        WarmVocabularies.Fitting fitting = s.vocabularies().start();
        Vocabulary src = fitting.vocabulary(SOURCE, Vocabulary.fit(train.flatMap(p -> Arrays.asList(p.source())
                .iterator()), minCount, maxSize), kept.flatMap(p -> Arrays.asList(p.source()).iterator()), s.train());
        Vocabulary tgt = fitting.vocabulary(TARGET, Vocabulary.fit(train.flatMap(p -> Arrays.asList(p.target())
                .iterator()), minCount, maxSize), kept.flatMap(p -> Arrays.asList(p.target()).iterator()), s.train());
        Batching.Options o = new Batching.Options(s.batch(), 64, true, s.partitions(), seed);
        JavaRDD<PairPartition> parts;
        long trainCount = train.count();
        try {
            PairBatching.checkBatches(trainCount, o, s.batchTokens());
            parts = PairBatching.partitions(EncodedPair.encode(train, src, tgt), o, s.batchTokens());
        } catch (RuntimeException e) {
            throw new CorpusException(s.train() + ": " + e.getMessage());
        }
        boolean cmudict = s.format().equals("cmudict");
        String srcJoin = cmudict ? "" : joiner(s.reading().sourceTokens());
        String tgtJoin = cmudict ? " " : joiner(s.reading().targetTokens());
        JavaRDD<Seq2SeqReferences> validE = Seq2SeqReferences.group(valid, src, tgt, srcJoin, tgtJoin, sw)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        JavaRDD<Seq2SeqReferences> testE = Seq2SeqReferences.group(test, src, tgt, srcJoin, tgtJoin, sw)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long nValid = validE.count();
        long nTest = testE.count();
        if (nValid == 0) {
            throw new CorpusException(s.train() + ": the validation part is empty; raise data.validation-fraction");
        }
        Seq2SeqSpec spec = s.spec().apply(src.size(), tgt.size());
        String describe = String.format(Locale.ROOT, "pairs %s (%s): %,d training, %,d validation, %,d test (seeded "
                + "split by source; validation and test: sources, each scored against its closest reference); %,d "
                + "skipped as longer than data.max-source-length = %d; vocabularies: %,d source "
                + "and %,d target tokens (fitted on the training part)%n", s.train(), s.format(), trainCount,
                nValid, nTest, tooLong, maxSource, src.size(), tgt.size()) + describe(sw, s.vocabularies())
                + batches(PairBatching.stats(parts), s, trainCount) + fitting.describe(s.train()) + read.skipped();
        ObjectNode warm = fitting.toJson();
        Map<String, byte[]> files = new LinkedHashMap<>(Map.of(SOURCE, src.toText().getBytes(
                StandardCharsets.UTF_8), TARGET, tgt.toText().getBytes(StandardCharsets.UTF_8)));
        files.putAll(sw.files());
        int batch = s.batch();
        Seq2SeqDecoding.Settings decode = s.decode();
        Seq2SeqDecoding.Settings greedy = decode.greedy();
        int beam = decode.beam();
        Seq2SeqScores.Names names = Seq2SeqScores.Names.of(s.format(), s.reading().targetTokens());
        Vocabulary words = names == Seq2SeqScores.Names.WORDS ? tgt : null;
        TranslationScores validCopy = words == null ? null : copyBaseline(validE);
        TranslationScores testCopy = words == null || nTest == 0 ? null : copyBaseline(testE);
        Samples samples = new Samples(validE.takeOrdered(SAMPLES, BySourceHash.INSTANCE), src, tgt, srcJoin, tgtJoin,
                sw);
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            LocalModel m = LocalModel.of(spec, params);
            Seq2SeqScores v = scores(sc, m, validE, greedy, batch, words, sw);
            ObjectNode details = JsonNodeFactory.instance.objectNode();
            details.set("samples", samples.decode(m, greedy));
            Validation val = v.translation() == null ? Validation.of(v.tokenErrorRate(), names.tokens,
                    v.tokenErrorRate(), names.sequences, v.sequenceErrorRate(), "bleu", v.bleu())
                    : Validation.of(v.tokenErrorRate(), names.tokens, v.tokenErrorRate(), names.sequences,
                    v.sequenceErrorRate(), "bleu", v.translation().bleu(), "chrf", v.translation().chrf());
            return val.withDetails(details);
        }, params -> {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            LocalModel m = LocalModel.of(spec, params);
            scores(sc, m, validE, greedy, batch, words, sw).toJson(n, "valid_", names);
            if (validCopy != null) {
                validCopy.toJson(n, "valid_copy_");
            }
            if (nTest > 0) {
                scores(sc, m, testE, greedy, batch, words, sw).toJson(n, "test_", names);
                if (testCopy != null) {
                    testCopy.toJson(n, "test_copy_");
                }
            }
            if (beam > 1) {
                n.put("beam", beam);
                scores(sc, m, validE, decode, batch, words, sw).toJson(n, "valid_beam_", names);
                if (nTest > 0) {
                    scores(sc, m, testE, decode, batch, words, sw).toJson(n, "test_beam_", names);
                }
            }
            n.set("valid_samples", samples.decode(m, greedy));
            n.put("skipped_long_sources", tooLong);
            if (warm != null) {
                n.set("warm_start_vocabulary", warm.deepCopy());
            }
            return n;
        }));
    }

    /**
     * The pairs a job trains on, split as training splits them: every part as read (words for a byte-pair-encoded
     * side), only sources within {@code data.max-source-length} (in the model's tokens).
     *
     * @param kept       every pair whose source fits
     * @param train      the training part of {@code kept}
     * @param validation the validation part of {@code kept}
     * @param test       the test part of {@code kept}
     * @param tooLong    how many pairs were skipped as longer than the limit
     * @param subwords   the byte-pair encodings learned on the training part ({@link Subwords#NONE} without)
     */
    public record Split(JavaRDD<TextPair> kept, JavaRDD<TextPair> train, JavaRDD<TextPair> validation,
            JavaRDD<TextPair> test, long tooLong, Subwords subwords) {
    }

    /** Splits {@code all} by the seeded hash of the source (the split {@link #prepare} trains on). */
    public static Split split(JavaRDD<TextPair> all, Seq2SeqSettings s) {
        long seed = s.seed();
        double testF = s.testFraction();
        double validF = s.validationFraction();
        Subwords sw = Subwords.learn(all.filter(p -> Splits.uniform(seed, key(p)) >= testF + validF), s.reading(),
                s.bpeMerges(), s.vocabularies().merges());
        int maxSource = s.maxSourceLength();
        long tooLong = all.filter(p -> sw.source(p.source()).length > maxSource).count();
        JavaRDD<TextPair> kept = all.filter(p -> sw.source(p.source()).length <= maxSource);
        return new Split(kept, kept.filter(p -> Splits.uniform(seed, key(p)) >= testF + validF),
                part(kept, Part.VALIDATION, seed, testF, validF), part(kept, Part.TEST, seed, testF, validF), tooLong,
                sw);
    }

    /** The pairs as the model's tokens: cut by {@code sw} when a side is byte-pair encoded. */
    private static JavaRDD<TextPair> cut(JavaRDD<TextPair> pairs, Subwords sw) {
        return sw.equals(Subwords.NONE) ? pairs : pairs.map(sw::apply);
    }

    /** The console's line on the byte-pair encodings, learned or the parent's (none without one). */
    private static String describe(Subwords sw, WarmVocabularies warm) {
        StringBuilder sb = new StringBuilder();
        for (String side : List.of(Subwords.SOURCE, Subwords.TARGET)) {
            Bpe b = side.equals(Subwords.SOURCE) ? sw.source() : sw.target();
            if (b != null) {
                sb.append(String.format(Locale.ROOT, "  byte-pair encoding %s: %,d merges (%s)%n", side,
                        b.merges().size(), warm.merges().containsKey(side) ? "the parent's"
                        : "learned on the training part's words"));
            }
        }
        return sb.toString();
    }

    /** Validation sources shown with their outputs after every validation, so a reader sees the model improve. */
    public static final int SAMPLES = 8;

    /** How tokens are joined back into text: characters without, words with a space. */
    public static String joiner(TokenUnit unit) {
        return unit == TokenUnit.CHARS ? "" : " ";
    }

    /** A fixed choice of sources that does not depend on the partitioning: the smallest hashes of their ids. */
    private enum BySourceHash implements Comparator<Seq2SeqReferences>, Serializable {
        INSTANCE;

        @Override
        public int compare(Seq2SeqReferences a, Seq2SeqReferences b) {
            int c = Integer.compare(Arrays.hashCode(a.source()), Arrays.hashCode(b.source()));
            return c != 0 ? c : Arrays.compare(a.source(), b.source());
        }
    }

    /** Fixed validation sources with their first reference, decoded greedily on the driver. */
    private record Samples(List<Seq2SeqReferences> pairs, Vocabulary src, Vocabulary tgt, String srcJoin,
            String tgtJoin, Subwords sw) {
        /** Rows {@code {source, reference, output}} for the model. */
        ArrayNode decode(LocalModel m, Seq2SeqDecoding.Settings greedy) {
            List<int[]> sources = new ArrayList<>();
            pairs.forEach(p -> sources.add(p.source()));
            List<Hypothesis> h = sources.isEmpty() ? List.of() : m.decode(sources, greedy);
            ArrayNode rows = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < pairs.size(); i++) {
                ObjectNode r = rows.addObject();
                r.put("source", sw.sourceText(tokens(src, pairs.get(i).source()), srcJoin));
                r.put("reference", sw.targetText(tokens(tgt, pairs.get(i).references().get(0)), tgtJoin));
                r.put("output", sw.targetText(tokens(tgt, h.get(i).tokens()), tgtJoin));
            }
            return rows;
        }
    }

    /** The tokens of the ids. */
    static String[] tokens(Vocabulary v, int[] ids) {
        String[] t = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            t[i] = v.token(ids[i]);
        }
        return t;
    }

    /** The text a pair is split by: its source, so that alternates of one word share a part. */
    private static String key(TextPair p) {
        return String.join(" ", p.source());
    }

    /** The part of a pair: 0 test, 1 validation, 2 training. */
    public static int part(long seed, TextPair p, double testF, double validF) {
        double u = Splits.uniform(seed, key(p));
        return u < testF ? 0 : u < testF + validF ? 1 : 2;
    }

    /**
     * The pairs of {@code all} in {@code part} of the three-way split as training drew it with {@code seed} and the
     * test and validation fractions; {@link Part#ALL}: every pair.
     */
    public static JavaRDD<TextPair> part(JavaRDD<TextPair> all, Part part, long seed, double testF, double validF) {
        if (part == Part.ALL) {
            return all;
        }
        int wanted = part == Part.TEST ? 0 : 1;
        return all.filter(p -> part(seed, p, testF, validF) == wanted);
    }

    /**
     * The scores of the model's outputs on {@code data} (each source once, all its references), in the tasks; with
     * a {@code words} vocabulary (word-level targets) also the translation metrics of the outputs' words joined by
     * spaces against the references' text. A byte-pair-encoded target ({@code sw}) is scored on words throughout:
     * the outputs' pieces joined into words, the error rates and BLEU-4 on those words against the references'
     * words, so that the figures compare with a word-level model's.
     */
    public static Seq2SeqScores scores(JavaSparkContext sc, LocalModel model, JavaRDD<Seq2SeqReferences> data,
            Seq2SeqDecoding.Settings decode, int batch, Vocabulary words, Subwords sw) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        try {
            return data.mapPartitions(it -> {
                LocalModel m = b.value().copy();
                Seq2SeqScores s = new Seq2SeqScores();
                for (List<Seq2SeqReferences> chunk : LocalModel.chunks(it, batch)) {
                    List<int[]> sources = new ArrayList<>();
                    chunk.forEach(p -> sources.add(p.source()));
                    List<Hypothesis> h = m.decode(sources, decode);
                    for (int r = 0; r < chunk.size(); r++) {
                        Seq2SeqReferences ref = chunk.get(r);
                        if (sw.target() == null) {
                            s.add(h.get(r).tokens(), ref.references());
                        }
                        if (words != null) {
                            String output = sw.targetText(tokens(words, h.get(r).tokens()), " ");
                            if (sw.target() != null) {
                                addWords(s, output, ref.referenceTexts());
                            }
                            s.addText(output, ref.referenceTexts());
                        }
                    }
                }
                return Collections.singletonList(s).iterator();
            }).reduce(Seq2SeqScores::merge);
        } finally {
            b.destroy();
        }
    }

    /**
     * Adds an output to the error rates and BLEU-4 as words against its references' words (each word an id local to
     * this output and its references: only equality counts).
     */
    private static void addWords(Seq2SeqScores s, String output, List<String> references) {
        Map<String, Integer> ids = new HashMap<>();
        List<int[]> refs = new ArrayList<>(references.size());
        for (String r : references) {
            refs.add(wordIds(r, ids));
        }
        s.add(wordIds(output, ids), refs);
    }

    private static int[] wordIds(String text, Map<String, Integer> ids) {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(" ")).mapToInt(w -> ids.computeIfAbsent(w,
                k -> ids.size())).toArray();
    }

    /**
     * The translation metrics of the copy-the-source baseline: each source's text scored as the output against its
     * references' texts (how far the target language is from the source before any model).
     */
    public static TranslationScores copyBaseline(JavaRDD<Seq2SeqReferences> data) {
        return data.mapPartitions(it -> {
            TranslationScores t = new TranslationScores();
            it.forEachRemaining(r -> t.add(r.sourceText(), r.referenceTexts()));
            return Collections.singletonList(t).iterator();
        }).reduce(TranslationScores::merge);
    }

    /**
     * Decodes every source, in the tasks: rows (the source, its output, the output's score), the tokens joined with
     * {@code srcJoin} and {@code tgtJoin} (a byte-pair-encoded side's pieces joined into words, {@code sw}); a
     * source longer than {@code maxSource} (in the model's tokens) gets an empty output and score NaN.
     */
    public static JavaRDD<Object[]> translate(JavaSparkContext sc, LocalModel model, JavaRDD<String[]> sources,
            Vocabulary src, Vocabulary tgt, String srcJoin, String tgtJoin, Subwords sw, int maxSource,
            Seq2SeqDecoding.Settings decode, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        return sources.mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<String[]> chunk : LocalModel.chunks(it, batch)) {
                List<Translation> t = translations(lm, chunk, src, tgt, tgtJoin, sw, maxSource, decode);
                for (int r = 0; r < chunk.size(); r++) {
                    res.add(new Object[] {String.join(srcJoin, chunk.get(r)), t.get(r).output(), t.get(r).score()});
                }
            }
            return res.iterator();
        });
    }

    /** A decoded output, its tokens joined, and its score (the length-normalised log-probability). */
    public record Translation(String output, double score) {
    }

    /**
     * Decodes one batch of non-empty sources as read (run in a task, on its own {@link LocalModel#copy}), cut into
     * the model's tokens by {@code sw}; a source longer than {@code maxSource} model tokens gets an empty output and
     * score NaN. Outputs are joined with {@code tgtJoin}, byte-pair-encoding pieces into words.
     */
    public static List<Translation> translations(LocalModel lm, List<String[]> sources, Vocabulary src,
            Vocabulary tgt, String tgtJoin, Subwords sw, int maxSource, Seq2SeqDecoding.Settings decode) {
        List<int[]> ids = new ArrayList<>();
        for (String[] s : sources) {
            String[] cut = sw.source(s);
            if (cut.length <= maxSource) {
                ids.add(src.encode(cut));
            }
        }
        List<Hypothesis> h = ids.isEmpty() ? List.of() : lm.decode(ids, decode);
        List<Translation> res = new ArrayList<>(sources.size());
        int k = 0;
        for (String[] s : sources) {
            if (sw.source(s).length > maxSource) {
                res.add(new Translation("", Double.NaN));
                continue;
            }
            Hypothesis y = h.get(k++);
            res.add(new Translation(sw.targetText(tokens(tgt, y.tokens()), tgtJoin), y.score()));
        }
        return res;
    }
}
