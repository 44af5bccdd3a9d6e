package io.sparkrnn.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.Lines;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.classify.ClassificationReader;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.round.SequencePartition;
import io.sparkrnn.driver.task.ClassCounts;
import io.sparkrnn.driver.task.LocalModel;
import io.sparkrnn.driver.task.PreparedData.Validation;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.engine.model.SequenceSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Text classification from {@code label<TAB>text} lines or one folder per label: a seeded random
 * {@code data.validation-fraction} of the texts is held out ({@link Splits}, keyed by the file's folder and name
 * and the text; seeded random, not stratified) unless {@code data.validation} names a corpus. Texts are cut into characters or
 * words (optionally lower-cased) and only the first {@code data.max-length} tokens are kept; the vocabulary is
 * fitted on the training texts. Metrics: accuracy, per-class precision / recall / F1, confusion matrix.
 */
final class ClassificationTask implements Task {
    static final String WORDS = "vocab-words.txt";
    static final String LABELS = "vocab-labels.txt";

    @Override
    public String name() {
        return "classify";
    }

    @Override
    public List<String> formats() {
        return List.of("tsv", "folders");
    }

    @Override
    public String defaultFormat() {
        return "tsv";
    }

    @Override
    public void check(JobConfig c) {
        if (c.getInt("train.k1") < c.getInt("data.max-length")) {
            throw new ConfigException(c.source() + ": task = classify reads each text in one window: train.k1 ("
                    + c.getInt("train.k1") + ") must be >= data.max-length (" + c.getInt("data.max-length") + ")");
        }
        folderLabels(c);
    }

    private static SequenceSpec spec(TrainCommand.Job job, int words, int classes) {
        TrainCommand.ModelSettings m = job.model();
        return SequenceSpec.classifier(words, m.embedding(), Vocabulary.PAD_ID, m.cell(), m.hidden(), m.layers(),
                m.bidirectional(), m.dropout(), m.pooling(), classes).withIoDropout(m.ioDropout());
    }

    /** {@code data.folders} parsed: folder to label, in order; empty when every folder is its own label. */
    static Map<String, String> folderLabels(JobConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        String spec = c.getString("data.folders").trim();
        if (spec.isEmpty()) {
            return m;
        }
        for (String pair : spec.split(",")) {
            String[] fl = pair.trim().split(":");
            if (fl.length != 2 || fl[0].isBlank() || fl[1].isBlank()) {
                throw new ConfigException(c.source() + ": data.folders expects folder:label pairs separated by "
                        + "commas, found '" + pair.trim() + "'");
            }
            m.put(fl[0].trim(), fl[1].trim());
        }
        return m;
    }

    static JavaRDD<LabelledText> read(JavaSparkContext sc, JobConfig c, String format, String path) {
        double bad = c.getDouble("data.max-bad-fraction");
        Corpus<LabelledText> corpus;
        if (format.equals("folders")) {
            Map<String, String> labels = folderLabels(c);
            if (labels.isEmpty()) {
                labels = subfolders(sc, path);
            }
            corpus = ClassificationReader.folders(sc, path, labels, bad);
        } else {
            corpus = ClassificationReader.tsv(sc, path, bad);
        }
        if (corpus.count() == 0) {
            throw new InputException(path + ": no labelled texts (format " + format + ")");
        }
        return corpus.records();
    }

    /** Every folder directly under {@code root}, named after itself. */
    private static Map<String, String> subfolders(JavaSparkContext sc, String root) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            Path p = new Path(root);
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            for (FileStatus st : fs.listStatus(p)) {
                if (st.isDirectory() && !st.getPath().getName().startsWith(".")) {
                    m.put(st.getPath().getName(), st.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot list " + root + ": " + e.getMessage());
        }
        if (m.isEmpty()) {
            throw new InputException(root + " holds no folders (format folders: one folder per label)");
        }
        return m;
    }

    /** The settings that turn a text into tokens: unit, case, length cap. */
    record Tokenizer(TokenUnit unit, boolean lower, int maxLength) implements java.io.Serializable {
        static Tokenizer of(JobConfig c) {
            return new Tokenizer(c.getChoice("data.tokens").equals("word") ? TokenUnit.WORDS : TokenUnit.CHARS,
                    c.getBoolean("data.lowercase"), c.getInt("data.max-length"));
        }

        String[] tokens(String text) {
            String[] t = unit.split(lower ? text.toLowerCase(Locale.ROOT) : text);
            return t.length > maxLength ? Arrays.copyOf(t, maxLength) : t;
        }
    }

    @Override
    public PreparedData prepare(JavaSparkContext sc, TrainCommand.Job job, JobConfig c) {
        JavaRDD<LabelledText> all = read(sc, c, job.format(), job.train());
        JavaRDD<LabelledText> train;
        JavaRDD<LabelledText> valid;
        if (job.validation().isEmpty()) {
            long seed = job.seed();
            double f = job.validationFraction();
            train = all.filter(d -> !Splits.heldOut(seed, splitKey(d), f));
            valid = all.filter(d -> Splits.heldOut(seed, splitKey(d), f));
        } else {
            train = all;
            valid = read(sc, c, job.format(), job.validation());
        }
        Tokenizer tok = Tokenizer.of(c);
        Vocabulary words = Vocabulary.fit(train.flatMap(d -> Arrays.asList(tok.tokens(d.text())).iterator()),
                c.getInt("vocab.min-count"), c.getInt("vocab.max-size"));
        Vocabulary labels = Vocabulary.fit(train.map(LabelledText::label), 1, TaggingData.MAX_CLASSES,
                TaggingData.TAG_SPECIALS);
        JavaRDD<SequencePartition> parts;
        try {
            parts = Batching.pooled(Encoded.classification(train, tok::tokens, words, labels),
                    new Batching.Options(job.batch(), 64, true, job.partitions(), job.seed()), Vocabulary.PAD_ID);
        } catch (RuntimeException e) {
            throw new InputException(job.train() + ": " + e.getMessage());
        }
        JavaRDD<Encoded> validEncoded = Encoded.classification(valid, tok::tokens, words, labels)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long validCount = validEncoded.count();
        if (validCount == 0) {
            throw new InputException(job.train() + ": the validation part is empty; raise data.validation-fraction "
                    + "or give data.validation");
        }
        SequenceSpec spec = spec(job, words.size(), labels.size());
        String describe = String.format(Locale.ROOT, "corpus %s (%s): %,d validation texts; %,d tokens in the "
                + "vocabulary, labels %s (fitted on the training part)%n", job.train(), job.format(), validCount,
                words.size(), labels.tokens().subList(1, labels.size()));
        Map<String, byte[]> files = Map.of(WORDS, words.toText().getBytes(StandardCharsets.UTF_8), LABELS,
                labels.toText().getBytes(StandardCharsets.UTF_8));
        int batch = job.batch();
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            ClassCounts cc = counts(sc, LocalModel.of(spec, params), validEncoded, labels.size(), batch);
            return Validation.of(1 - cc.accuracy(), "accuracy", cc.accuracy(), "macro_f1", cc.macroF1());
        }, params -> {
            ObjectNode n = ClassCounts.newJson();
            counts(sc, LocalModel.of(spec, params), validEncoded, labels.size(), batch).toJson(n, "valid_",
                    labels.tokens(), true);
            return n;
        }));
    }

    static ClassCounts counts(JavaSparkContext sc, LocalModel model, JavaRDD<Encoded> data, int classes, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        try {
            return data.mapPartitions(it -> {
                LocalModel m = b.value().copy();
                ClassCounts cc = new ClassCounts(classes);
                for (List<Encoded> chunk : LocalModel.chunks(it, batch)) {
                    List<int[]> rows = new ArrayList<>();
                    chunk.forEach(e -> rows.add(e.tokens()));
                    List<float[]> p = m.pooledProbabilities(rows, Vocabulary.PAD_ID);
                    for (int r = 0; r < chunk.size(); r++) {
                        cc.add(chunk.get(r).label(), LocalModel.argmax(p.get(r)));
                    }
                }
                return Collections.singletonList(cc).iterator();
            }).reduce(ClassCounts::merge);
        } finally {
            b.destroy();
        }
    }

    /** The text a document is split by: its file's folder and name, and its text. */
    static String splitKey(LabelledText d) {
        return Splits.fileKey(d.file(), d.text());
    }

    private static String format(JobConfig c) {
        return c.getChoice("data.format").equals("auto") ? "tsv" : c.getChoice("data.format");
    }

    @Override
    public ObjectNode evaluate(JavaSparkContext sc, TrainedModel m, String data, Part part) {
        Vocabulary words = Vocabulary.fromText(m.file(WORDS), WORDS);
        Vocabulary labels = Vocabulary.fromText(m.file(LABELS), LABELS);
        JavaRDD<LabelledText> texts = part.twoWay(read(sc, m.config(), format(m.config()), data), m.config(),
                ClassificationTask::splitKey, name());
        JavaRDD<Encoded> enc = Encoded.classification(texts, Tokenizer.of(m.config())::tokens, words, labels);
        ObjectNode n = ClassCounts.newJson();
        counts(sc, m.local(), enc, labels.size(), m.batch()).toJson(n, "", labels.tokens(), true);
        return n;
    }

    /**
     * Classifies every text of {@code data} (the model's format, labels ignored, or with
     * {@code --input-format lines} one text a line): rows (id, predicted label, its probability); the id is the
     * file for folders, else file:line number.
     */
    @Override
    public long predict(JavaSparkContext sc, TrainedModel m, String data, PredictionWriter out) {
        Vocabulary words = Vocabulary.fromText(m.file(WORDS), WORDS);
        Vocabulary labels = Vocabulary.fromText(m.file(LABELS), LABELS);
        JobConfig c = m.config();
        String format = out.inputFormat() != null ? out.inputFormat() : format(c);
        JavaRDD<Tuple2<String, String>> texts;
        if (format.equals("folders")) {
            texts = read(sc, c, format, data).map(d -> new Tuple2<>(d.file(), d.text()));
        } else if (format.equals("tsv") || format.equals("lines")) {
            boolean tsv = format.equals("tsv");
            BadRecords bad = new BadRecords(sc, data, c.getDouble("data.max-bad-fraction"));
            texts = Lines.read(sc, data, bad).filter(l -> !l.text().isBlank()).map(l -> {
                int tab = tsv ? l.text().indexOf('\t') : -1;
                return new Tuple2<>(l.file() + ":" + l.number(), tab >= 0 ? l.text().substring(tab + 1) : l.text());
            });
        } else {
            throw new ConfigException("--input-format for a classifier must be tsv, folders or lines, found " + format);
        }
        Tokenizer tok = Tokenizer.of(c);
        Broadcast<LocalModel> b = sc.broadcast(m.local());
        int batch = m.batch();
        JavaRDD<Object[]> rows = texts.mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<Tuple2<String, String>> chunk : LocalModel.chunks(it, batch)) {
                List<int[]> ids = new ArrayList<>();
                for (Tuple2<String, String> t : chunk) {
                    int[] x = words.encode(tok.tokens(t._2()));
                    // an empty text is read as one unknown token: the model still gives its prior
                    ids.add(x.length > 0 ? x : new int[] {Vocabulary.UNK_ID});
                }
                List<float[]> p = lm.pooledProbabilities(ids, Vocabulary.PAD_ID);
                for (int r = 0; r < chunk.size(); r++) {
                    int best = LocalModel.argmax(p.get(r));
                    res.add(new Object[] {chunk.get(r)._1(), labels.token(best), (double) p.get(r)[best]});
                }
            }
            return res.iterator();
        });
        return out.write(sc, List.of(new PredictionWriter.Column("id", String.class),
                new PredictionWriter.Column("label", String.class),
                new PredictionWriter.Column("probability", Double.class)), rows);
    }
}
