package io.sparkrnn.driver.corpus.tagging;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.corpus.text.bpe.BpeLearner;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.driver.task.ClassCounts;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.engine.model.SequenceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A tagged corpus prepared for training: a seeded random share of the sentences is held out (see {@link Splits})
 * unless a validation corpus is named; word and tag vocabularies are fitted on the training sentences (unknown
 * words map to {@code <unk>}; a tag unseen in training to the tag {@code <unk>}, never predicted, so it counts as
 * an error). Sentences longer than k1 are cut into pieces of k1 words for training; evaluation sees whole
 * sentences. Metrics: token accuracy, per-tag and macro F1, with the {@link MostFrequentTag} baseline's. With
 * byte-pair-encoding pieces ({@link TaggingSettings#bpeMerges}) the model reads each word's pieces and a word's tag
 * is predicted at its first piece; the later pieces are left out of the loss and the counts, so accuracy is still
 * per word and the baseline is unchanged.
 */
public final class TaggingData {
    public static final String WORDS = "vocab-words.txt";
    public static final String TAGS = "vocab-tags.txt";
    /** Tag vocabularies have one special: a tag seen only outside the training part. */
    public static final List<String> TAG_SPECIALS = List.of(Vocabulary.UNK);
    /** Most tags or labels a vocabulary keeps (the most frequent; rarer ones map to {@code <unk>}). */
    public static final int MAX_CLASSES = 1 << 16;

    private TaggingData() {
    }

    /** The sentences of {@code path} in {@code format} ({@code brown} or {@code conll}). */
    public static Corpus<TaggedSentence> read(JavaSparkContext sc, TaggingSettings.Reading r, String format,
            String path) {
        Corpus<TaggedSentence> corpus = format.equals("conll")
                ? TaggingReader.conll(sc, path, r.conllTokenColumn(), r.conllTagColumn(), r.maxBadFraction())
                : TaggingReader.brown(sc, path, r.stripTagSuffixes(), r.maxBadFraction());
        if (corpus.count() == 0) {
            throw new CorpusException(path + ": no tagged sentences (format " + format + ")");
        }
        return r.lowercase() ? lowercase(corpus) : corpus;
    }

    /** The sentences with their words lower-cased (as {@link #read} gives them when the reading says so). */
    public static Corpus<TaggedSentence> lowercase(Corpus<TaggedSentence> corpus) {
        return corpus.map(s -> new TaggedSentence(lower(s.tokens()), s.tags()));
    }

    /** The text a sentence is split by: its words. */
    public static String splitKey(TaggedSentence s) {
        return String.join(" ", s.tokens());
    }

    private static String[] lower(String[] words) {
        String[] l = new String[words.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = words[i].toLowerCase(Locale.ROOT);
        }
        return l;
    }

    /**
     * Reads and splits the corpus, fits the vocabularies on the training part and builds the partitions; throws
     * {@link CorpusException} for bad or too little data.
     */
    public static PreparedData prepare(JavaSparkContext sc, TaggingSettings s) {
        return prepare(sc, s, read(sc, s.reading(), s.format(), s.train()));
    }

    /**
     * As {@link #prepare(JavaSparkContext, TaggingSettings)}, with the training sentences given as {@link #read}
     * would give them (e.g. the rows of a Spark Dataset, through {@link #lowercase} when the reading says so)
     * instead of read from {@code s.train()}, which then only names them in messages.
     */
    public static PreparedData prepare(JavaSparkContext sc, TaggingSettings s, Corpus<TaggedSentence> corpus) {
        Splits.TrainValidation<TaggedSentence> split = Splits.trainValidation(corpus, path -> read(sc, s.reading(),
                s.format(), path), s.validation(), s.seed(), s.validationFraction(), s.testFraction(),
                TaggingData::splitKey);
        JavaRDD<TaggedSentence> train = split.train();
        JavaRDD<TaggedSentence> valid = split.validation();
        String skipped = split.skipped();
        JavaRDD<TaggedSentence> all = corpus.records();
        WarmVocabularies.Fitting fitting = s.vocabularies().start();
        Bpe bpe = null;
        if (s.bpeMerges() > 0) {
            Bpe kept = s.vocabularies().merges().get(Bpe.INPUT_FILE);
            bpe = kept != null ? kept : BpeLearner.learn(train.flatMap(x -> Arrays.asList(x.tokens()).iterator()),
                    s.bpeMerges());
        }
        Bpe cut = bpe;
        Vocabulary words = fitting.vocabulary(WORDS, Vocabulary.fit(train.flatMap(x -> Arrays.asList(
                units(x.tokens(), cut)).iterator()), s.minCount(), s.maxVocabulary()), all.flatMap(x -> Arrays.asList(
                units(x.tokens(), cut)).iterator()), s.train());
        Vocabulary tags = fitting.vocabulary(TAGS, Vocabulary.fit(train.flatMap(x -> Arrays.asList(x.tags())
                .iterator()), 1, MAX_CLASSES, TAG_SPECIALS), all.flatMap(x -> Arrays.asList(x.tags()).iterator()),
                s.train());
        int k1 = s.k1();
        JavaRDD<Encoded> pieces = encode(train, bpe, words, tags).flatMap(e -> cut(e, k1).iterator());
        JavaRDD<SequencePartition> parts;
        try {
            parts = Batching.aligned(pieces, new Batching.Options(s.batch(), 64, true, s.partitions(), s.seed()),
                    Vocabulary.PAD_ID, Encoded.IGNORE);
        } catch (RuntimeException e) {
            throw new CorpusException(s.train() + ": " + e.getMessage());
        }
        JavaRDD<Encoded> validEncoded = encode(valid, bpe, words, tags).persist(StorageLevel.MEMORY_AND_DISK_SER());
        long validCount = validEncoded.count();
        if (validCount == 0) {
            throw new CorpusException(s.train() + ": the validation part is empty; raise data.validation-fraction "
                    + "or give data.validation");
        }
        SequenceSpec spec = s.spec().apply(words.size(), tags.size());
        String describe = String.format(Locale.ROOT, "corpus %s (%s): %,d validation sentences%s; %,d %s and %,d "
                + "tags in the vocabularies (fitted on the training part)%n", s.train(), s.format(), validCount,
                Splits.testNote(s.testFraction()), words.size(), bpe == null ? "words" : "pieces", tags.size())
                + (bpe == null ? "" : String.format(Locale.ROOT, "  byte-pair encoding %s: %,d merges (%s)%n",
                Bpe.INPUT_FILE, bpe.merges().size(), s.vocabularies().merges().containsKey(Bpe.INPUT_FILE)
                ? "the parent's" : "learned on the training part's words")) + fitting.describe(s.train()) + skipped;
        ObjectNode warm = fitting.toJson();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(WORDS, words.toText().getBytes(StandardCharsets.UTF_8));
        files.put(TAGS, tags.toText().getBytes(StandardCharsets.UTF_8));
        if (bpe != null) {
            files.put(Bpe.INPUT_FILE, bpe.toText().getBytes(StandardCharsets.UTF_8));
        }
        int batch = s.batch();
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            ClassCounts cc = counts(sc, LocalModel.of(spec, params), validEncoded, tags.size(), batch);
            return Validation.of(1 - cc.accuracy(), "accuracy", cc.accuracy(), "macro_f1", cc.macroF1());
        }, params -> {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            counts(sc, LocalModel.of(spec, params), validEncoded, tags.size(), batch).toJson(n, "valid_",
                    tags.tokens(), false);
            MostFrequentTag.toJson(MostFrequentTag.fit(train).counts(valid, tags), n, "valid_");
            if (warm != null) {
                n.set("warm_start_vocabulary", warm.deepCopy());
            }
            return n;
        }));
    }

    /** The model's input tokens of a sentence's words: the words, or their byte-pair-encoding pieces. */
    static String[] units(String[] words, Bpe bpe) {
        return bpe == null ? words : bpe.encode(words);
    }

    /**
     * Sentences as the model's ids and targets: per word, or per piece with a word's tag at its first piece
     * ({@code bpe} not null; {@link Encoded#tagging(JavaRDD, Bpe, Vocabulary, Vocabulary)}).
     */
    public static JavaRDD<Encoded> encode(JavaRDD<TaggedSentence> sentences, Bpe bpe, Vocabulary words,
            Vocabulary tags) {
        return bpe == null ? Encoded.tagging(sentences, words, tags) : Encoded.tagging(sentences, bpe, words, tags);
    }

    /** Pieces of at most {@code k} steps (bidirectional layers and truncated BPTT see one window per batch). */
    static List<Encoded> cut(Encoded e, int k) {
        if (e.length() <= k) {
            return List.of(e);
        }
        List<Encoded> out = new ArrayList<>();
        for (int from = 0; from < e.length(); from += k) {
            int to = Math.min(e.length(), from + k);
            out.add(new Encoded(Arrays.copyOfRange(e.tokens(), from, to), Arrays.copyOfRange(e.targets(), from, to),
                    -1));
        }
        return out;
    }

    /**
     * The confusion matrix of the model's tags on {@code data}, computed in the tasks: one count a word (a step
     * whose target is {@link Encoded#IGNORE}, a word's later piece, is not counted).
     */
    public static ClassCounts counts(JavaSparkContext sc, LocalModel model, JavaRDD<Encoded> data, int tags,
            int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        try {
            return data.mapPartitions(it -> {
                LocalModel m = b.value().copy();
                ClassCounts cc = new ClassCounts(tags);
                for (List<Encoded> chunk : LocalModel.chunks(it, batch)) {
                    List<int[]> rows = new ArrayList<>();
                    chunk.forEach(e -> rows.add(e.tokens()));
                    List<float[][]> p = m.alignedProbabilities(rows, Vocabulary.PAD_ID);
                    for (int r = 0; r < chunk.size(); r++) {
                        for (int t = 0; t < rows.get(r).length; t++) {
                            int truth = chunk.get(r).targets()[t];
                            if (truth != Encoded.IGNORE) {
                                cc.add(truth, LocalModel.argmax(p.get(r)[t]));
                            }
                        }
                    }
                }
                return Collections.singletonList(cc).iterator();
            }).reduce(ClassCounts::merge);
        } finally {
            b.destroy();
        }
    }

    /**
     * Tags every sentence (lowercased first when the model was trained so), in the tasks: rows (sentence index in
     * input order, {@code word/TAG ...}).
     */
    public static JavaRDD<Object[]> tag(JavaSparkContext sc, LocalModel model, JavaRDD<String[]> sentences,
            Vocabulary words, Vocabulary tags, boolean lower, Bpe bpe, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        return sentences.zipWithIndex().mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<Tuple2<String[], Long>> chunk : LocalModel.chunks(it, batch)) {
                List<String[]> batchWords = new ArrayList<>(chunk.size());
                chunk.forEach(s -> batchWords.add(s._1()));
                List<String[]> predicted = tags(lm, batchWords, words, tags, lower, bpe);
                for (int r = 0; r < chunk.size(); r++) {
                    StringBuilder sb = new StringBuilder();
                    String[] w = chunk.get(r)._1();
                    for (int t = 0; t < w.length; t++) {
                        sb.append(t == 0 ? "" : " ").append(w[t]).append('/').append(predicted.get(r)[t]);
                    }
                    res.add(new Object[] {chunk.get(r)._2(), sb.toString()});
                }
            }
            return res.iterator();
        });
    }

    /**
     * The likeliest tag of every word of one batch of non-empty sentences (lowercased first when the model was
     * trained so; for a model of byte-pair-encoding pieces, {@code bpe}, the tag at the word's first piece), run in a
     * task on its own {@link LocalModel#copy}.
     */
    public static List<String[]> tags(LocalModel lm, List<String[]> sentences, Vocabulary words, Vocabulary tags,
            boolean lower, Bpe bpe) {
        List<int[]> ids = new ArrayList<>(sentences.size());
        List<int[]> firsts = new ArrayList<>(sentences.size());
        for (String[] s : sentences) {
            String[] w = lower ? lower(s) : s;
            int[] first = new int[w.length];
            List<String> units = new ArrayList<>();
            for (int i = 0; i < w.length; i++) {
                first[i] = units.size();
                units.addAll(Arrays.asList(bpe == null ? new String[] {w[i]} : bpe.encode(w[i])));
            }
            ids.add(words.encode(units.toArray(String[]::new)));
            firsts.add(first);
        }
        List<float[][]> p = lm.alignedProbabilities(ids, Vocabulary.PAD_ID);
        List<String[]> res = new ArrayList<>(sentences.size());
        for (int r = 0; r < p.size(); r++) {
            int[] first = firsts.get(r);
            String[] t = new String[first.length];
            for (int i = 0; i < t.length; i++) {
                t[i] = tags.token(LocalModel.argmax(p.get(r)[first[i]]));
            }
            res.add(t);
        }
        return res;
    }
}
