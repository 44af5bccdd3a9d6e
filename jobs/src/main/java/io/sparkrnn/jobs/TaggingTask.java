package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.tagging.TaggingReader;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.driver.task.ClassCounts;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Sequence tagging (POS, NER, chunks) from Brown {@code word/TAG} lines or CoNLL columns: a seeded random
 * {@code data.validation-fraction} of the sentences is held out (see {@link Splits}) unless
 * {@code data.validation} names a corpus; word and tag vocabularies are fitted on the training sentences
 * (unknown words map to {@code <unk>}; a tag unseen in training to the tag {@code <unk>}, never predicted,
 * so it counts as an error). Sentences longer than {@code train.k1} are cut into pieces of k1 words for
 * training; evaluation and prediction see whole sentences. Metrics: token accuracy, per-tag and macro F1.
 */
final class TaggingTask implements Task {
    static final String WORDS = "vocab-words.txt";
    static final String TAGS = "vocab-tags.txt";
    /** Tag vocabularies have one special: a tag seen only outside the training part. */
    static final List<String> TAG_SPECIALS = List.of(Vocabulary.UNK);
    /** Most tags or labels a vocabulary keeps (the most frequent; rarer ones map to {@code <unk>}). */
    static final int MAX_CLASSES = 1 << 16;

    @Override
    public String name() {
        return "tag";
    }

    @Override
    public List<String> formats() {
        return List.of("brown", "conll");
    }

    @Override
    public String defaultFormat() {
        return "brown";
    }

    @Override
    public void check(JobConfig c) {
        if (!c.getChoice("data.tokens").equals("char") && !c.getChoice("data.tokens").equals("word")) {
            throw new ConfigException(c.source() + ": data.tokens must be char or word");
        }
    }

    private static SequenceSpec spec(TrainCommand.Job job, int words, int tags) {
        TrainCommand.ModelSettings m = job.model();
        return SequenceSpec.tagger(words, m.embedding(), Vocabulary.PAD_ID, m.cell(), m.hidden(), m.layers(),
                m.bidirectional(), m.dropout(), tags).withIoDropout(m.ioDropout());
    }

    static JavaRDD<TaggedSentence> read(JavaSparkContext sc, JobConfig c, String format, String path) {
        double bad = c.getDouble("data.max-bad-fraction");
        Corpus<TaggedSentence> corpus = format.equals("conll")
                ? TaggingReader.conll(sc, path, c.getInt("data.conll-token-column"), c.getInt("data.conll-tag-column"),
                        bad)
                : TaggingReader.brown(sc, path, c.getBoolean("data.strip-tag-suffixes"), bad);
        if (corpus.count() == 0) {
            throw new InputException(path + ": no tagged sentences (format " + format + ")");
        }
        boolean lower = c.getBoolean("data.lowercase");
        return lower ? corpus.records().map(s -> new TaggedSentence(lower(s.tokens()), s.tags())) : corpus.records();
    }

    /** The text a sentence is split by: its words. */
    static String splitKey(TaggedSentence s) {
        return String.join(" ", s.tokens());
    }

    static String[] lower(String[] words) {
        String[] l = new String[words.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = words[i].toLowerCase(Locale.ROOT);
        }
        return l;
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        JavaRDD<TaggedSentence> all = read(sc, c, job.format(), job.train());
        JavaRDD<TaggedSentence> train;
        JavaRDD<TaggedSentence> valid;
        if (job.validation().isEmpty()) {
            long seed = job.seed();
            double f = job.validationFraction();
            train = all.filter(s -> !Splits.heldOut(seed, splitKey(s), f));
            valid = all.filter(s -> Splits.heldOut(seed, splitKey(s), f));
        } else {
            train = all;
            valid = read(sc, c, job.format(), job.validation());
        }
        Vocabulary words = Vocabulary.fit(train.flatMap(s -> Arrays.asList(s.tokens()).iterator()),
                c.getInt("vocab.min-count"), c.getInt("vocab.max-size"));
        Vocabulary tags = Vocabulary.fit(train.flatMap(s -> Arrays.asList(s.tags()).iterator()), 1, MAX_CLASSES,
                TAG_SPECIALS);
        int k1 = job.k1();
        JavaRDD<Encoded> pieces = Encoded.tagging(train, words, tags).flatMap(e -> cut(e, k1).iterator());
        JavaRDD<SequencePartition> parts;
        try {
            parts = Batching.aligned(pieces, new Batching.Options(job.batch(), 64, true, job.partitions(), job.seed()),
                    Vocabulary.PAD_ID, -100);
        } catch (RuntimeException e) {
            throw new InputException(job.train() + ": " + e.getMessage());
        }
        JavaRDD<Encoded> validEncoded = Encoded.tagging(valid, words, tags).persist(StorageLevel.MEMORY_AND_DISK_SER());
        long validCount = validEncoded.count();
        if (validCount == 0) {
            throw new InputException(job.train() + ": the validation part is empty; raise data.validation-fraction "
                    + "or give data.validation");
        }
        SequenceSpec spec = spec(job, words.size(), tags.size());
        String describe = String.format(Locale.ROOT, "corpus %s (%s): %,d validation sentences; %,d words and %,d "
                + "tags in the vocabularies (fitted on the training part)%n", job.train(), job.format(), validCount,
                words.size(), tags.size());
        Map<String, byte[]> files = Map.of(WORDS, words.toText().getBytes(StandardCharsets.UTF_8), TAGS,
                tags.toText().getBytes(StandardCharsets.UTF_8));
        int batch = job.batch();
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            ClassCounts cc = counts(sc, LocalModel.of(spec, params), validEncoded, tags.size(), batch);
            return Validation.of(1 - cc.accuracy(), "accuracy", cc.accuracy(), "macro_f1", cc.macroF1());
        }, params -> {
            ObjectNode n = ClassCounts.newJson();
            counts(sc, LocalModel.of(spec, params), validEncoded, tags.size(), batch).toJson(n, "valid_",
                    tags.tokens(), false);
            return n;
        }));
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

    /** The confusion matrix of the model's tags on {@code data}, computed in the tasks. */
    static ClassCounts counts(JavaSparkContext sc, LocalModel model, JavaRDD<Encoded> data, int tags, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        try {
            return data.mapPartitions(it -> {
                LocalModel m = b.value().copy();
                ClassCounts cc = new ClassCounts(tags);
                for (List<Encoded> chunk : chunks(it, batch)) {
                    List<int[]> rows = new ArrayList<>();
                    chunk.forEach(e -> rows.add(e.tokens()));
                    List<float[][]> p = m.alignedProbabilities(rows, Vocabulary.PAD_ID);
                    for (int r = 0; r < chunk.size(); r++) {
                        for (int t = 0; t < rows.get(r).length; t++) {
                            cc.add(chunk.get(r).targets()[t], LocalModel.argmax(p.get(r)[t]));
                        }
                    }
                }
                return Collections.singletonList(cc).iterator();
            }).reduce(ClassCounts::merge);
        } finally {
            b.destroy();
        }
    }

    /** Consecutive chunks of up to {@code n} non-empty rows. */
    static <T> Iterable<List<T>> chunks(Iterator<T> it, int n) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public List<T> next() {
                List<T> c = new ArrayList<>(n);
                while (it.hasNext() && c.size() < n) {
                    c.add(it.next());
                }
                return c;
            }
        };
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        Vocabulary words = Vocabulary.fromText(m.file(WORDS), WORDS);
        Vocabulary tags = Vocabulary.fromText(m.file(TAGS), TAGS);
        JavaRDD<TaggedSentence> s = read(sc, m.config(), m.config().getChoice("data.format").equals("auto")
                ? defaultFormat() : m.config().getChoice("data.format"), data);
        JavaRDD<Encoded> enc = Encoded.tagging(part.twoWay(s, m.config(), TaggingTask::splitKey, name()),
                words, tags);
        ObjectNode n = ClassCounts.newJson();
        counts(sc, m.local(), enc, tags.size(), m.batch()).toJson(n, "", tags.tokens(), false);
        return n;
    }

    /**
     * Tags every sentence of {@code data} (the model's format, whose tags are ignored, or with
     * {@code --input-format text} plain lines of whitespace-separated words): rows (sentence index in input
     * order, {@code word/TAG ...}).
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        Vocabulary words = Vocabulary.fromText(m.file(WORDS), WORDS);
        Vocabulary tags = Vocabulary.fromText(m.file(TAGS), TAGS);
        JobConfig c = m.config();
        String format = out.inputFormat() != null ? out.inputFormat()
                : c.getChoice("data.format").equals("auto") ? defaultFormat() : c.getChoice("data.format");
        JavaRDD<String[]> sentences;
        if (format.equals("text")) {
            BadRecords bad = new BadRecords(sc, data, c.getDouble("data.max-bad-fraction"));
            sentences = Lines.read(sc, data, bad).map(l -> TokenUnit.WORDS.split(l.text())).filter(t -> t.length > 0);
        } else if (formats().contains(format)) {
            JobConfig raw = c;
            sentences = (format.equals("conll")
                    ? TaggingReader.conll(sc, data, raw.getInt("data.conll-token-column"),
                            raw.getInt("data.conll-tag-column"), raw.getDouble("data.max-bad-fraction"))
                    : TaggingReader.brown(sc, data, false, raw.getDouble("data.max-bad-fraction")))
                    .records().map(TaggedSentence::tokens);
        } else {
            throw new ConfigException("--input-format for a tagger must be brown, conll or text, found " + format);
        }
        boolean lower = c.getBoolean("data.lowercase");
        Broadcast<LocalModel> b = sc.broadcast(m.local());
        int batch = m.batch();
        JavaRDD<Object[]> rows = sentences.zipWithIndex().mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<Tuple2<String[], Long>> chunk : chunks(it, batch)) {
                List<int[]> ids = new ArrayList<>();
                chunk.forEach(s -> ids.add(words.encode(lower ? lower(s._1()) : s._1())));
                List<float[][]> p = lm.alignedProbabilities(ids, Vocabulary.PAD_ID);
                for (int r = 0; r < chunk.size(); r++) {
                    StringBuilder sb = new StringBuilder();
                    String[] w = chunk.get(r)._1();
                    for (int t = 0; t < w.length; t++) {
                        sb.append(t == 0 ? "" : " ").append(w[t]).append('/')
                                .append(tags.token(LocalModel.argmax(p.get(r)[t])));
                    }
                    res.add(new Object[] {chunk.get(r)._2(), sb.toString()});
                }
            }
            return res.iterator();
        });
        return out.write(sc, List.of(new PredictionWriter.Column("sentence", Long.class),
                new PredictionWriter.Column("tagged", String.class)), rows);
    }
}
