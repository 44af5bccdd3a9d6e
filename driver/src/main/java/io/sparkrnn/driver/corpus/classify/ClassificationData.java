package io.sparkrnn.driver.corpus.classify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.Splits;
import io.sparkrnn.driver.corpus.batching.Batching;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.text.TokenUnit;
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
 * Labelled texts prepared for training: a seeded random share of the texts is held out ({@link Splits}, keyed by the
 * file's folder and name and the text; seeded random, not stratified) unless a validation corpus is named. Texts are
 * cut into tokens by the {@link ClassificationSettings.Tokenizer}; the vocabulary is fitted on the training texts.
 * Byte-pair-encoding pieces ({@code bpe}): the merges are learned on the training texts' words (a warm start keeps the
 * parent's) and stored with the model ({@link Bpe#INPUT_FILE}). Metrics: accuracy, per-class precision / recall / F1,
 * confusion matrix; the labels are exactly the training texts' labels (no {@code <unk>} class); beside them the
 * baselines' ({@link ClassificationBaselines}).
 */
public final class ClassificationData {
    public static final String WORDS = "vocab-words.txt";
    public static final String LABELS = "vocab-labels.txt";

    private ClassificationData() {
    }

    /** The labelled texts of {@code path} in {@code format} ({@code tsv} or {@code folders}). */
    public static Corpus<LabelledText> read(JavaSparkContext sc, ClassificationSettings.Reading r, String format,
            String path) {
        double bad = r.maxBadFraction();
        Corpus<LabelledText> corpus;
        if (format.equals("folders")) {
            Map<String, String> labels = r.folderLabels();
            if (labels.isEmpty()) {
                labels = subfolders(sc, path);
            }
            corpus = ClassificationReader.folders(sc, path, labels, bad);
        } else {
            corpus = ClassificationReader.tsv(sc, path, bad);
        }
        if (corpus.count() == 0) {
            throw new CorpusException(path + ": no labelled texts (format " + format + ")");
        }
        return corpus;
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
            throw new CorpusException("cannot list " + root + ": " + e.getMessage());
        }
        if (m.isEmpty()) {
            throw new CorpusException(root + " holds no folders (format folders: one folder per label)");
        }
        return m;
    }

    /**
     * Reads and splits the corpus, fits the vocabularies on the training part and builds the partitions; throws
     * {@link CorpusException} for bad or too little data.
     */
    public static PreparedData prepare(JavaSparkContext sc, ClassificationSettings s) {
        return prepare(sc, s, read(sc, s.reading(), s.format(), s.train()));
    }

    /**
     * As {@link #prepare(JavaSparkContext, ClassificationSettings)}, with the training corpus given (e.g. the rows
     * of a Spark Dataset) instead of read from {@code s.train()}, which then only names it in messages.
     */
    public static PreparedData prepare(JavaSparkContext sc, ClassificationSettings s, Corpus<LabelledText> corpus) {
        Splits.TrainValidation<LabelledText> split = Splits.trainValidation(corpus, path -> read(sc, s.reading(),
                s.format(), path), s.validation(), s.seed(), s.validationFraction(), s.testFraction(),
                ClassificationData::splitKey);
        JavaRDD<LabelledText> train = split.train();
        JavaRDD<LabelledText> valid = split.validation();
        String skipped = split.skipped();
        JavaRDD<LabelledText> all = corpus.records();
        Map<String, byte[]> files = new LinkedHashMap<>();
        ClassificationSettings.Tokenizer tok = s.tokenizer();
        if (tok.unit() == TokenUnit.BPE) {
            Bpe kept = s.vocabularies().merges().get(Bpe.INPUT_FILE);
            ClassificationSettings.Tokenizer words = tok;
            tok = tok.withBpe(kept != null ? kept : BpeLearner.learn(train.flatMap(d -> Arrays.asList(
                    words.words(d.text())).iterator()), s.bpeMerges()));
            files.put(Bpe.INPUT_FILE, tok.bpe().toText().getBytes(StandardCharsets.UTF_8));
        }
        ClassificationSettings.Tokenizer pieces = tok;
        WarmVocabularies.Fitting fitting = s.vocabularies().start();
        Vocabulary words = fitting.vocabulary(WORDS, Vocabulary.fit(train.flatMap(d -> Arrays.asList(
                pieces.tokens(d.text())).iterator()), s.minCount(), s.maxVocabulary()), all.flatMap(d -> Arrays.asList(
                pieces.tokens(d.text())).iterator()), s.train());
        // Exactly the training texts' labels (a warm start's: the parent's, those appended before the new ones):
        // the model has one output per label and no <unk> class.
        Vocabulary labels = fitting.vocabulary(LABELS, Vocabulary.fit(train.map(LabelledText::label), 1,
                TaggingData.MAX_CLASSES, List.of()), all.map(LabelledText::label), s.train());
        if (labels.size() >= TaggingData.MAX_CLASSES) {
            // the fit keeps at most this many: a training text whose label was cut would have no output
            throw new CorpusException(s.train() + ": " + labels.size() + " or more distinct labels; a classifier "
                    + "takes fewer than " + TaggingData.MAX_CLASSES);
        }
        JavaRDD<SequencePartition> parts;
        try {
            parts = Batching.pooled(Encoded.classification(train, pieces::tokens, words, labels),
                    new Batching.Options(s.batch(), 64, true, s.partitions(), s.seed()), Vocabulary.PAD_ID);
        } catch (RuntimeException e) {
            throw new CorpusException(s.train() + ": " + e.getMessage());
        }
        JavaRDD<Encoded> validEncoded = Encoded.classification(valid, pieces::tokens, words, labels)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        long validCount = validEncoded.count();
        if (validCount == 0) {
            throw new CorpusException(s.train() + ": the validation part is empty; raise data.validation-fraction "
                    + "or give data.validation");
        }
        SequenceSpec spec = s.spec().apply(words.size(), labels.size());
        String describe = String.format(Locale.ROOT, "corpus %s (%s): %,d validation texts%s; %,d tokens in the "
                + "vocabulary, labels %s (fitted on the training part)%n", s.train(), s.format(), validCount,
                Splits.testNote(s.testFraction()), words.size(), labels.tokens()) + (pieces.bpe() == null ? ""
                : String.format(Locale.ROOT, "  byte-pair encoding %s: %,d merges (%s)%n", Bpe.INPUT_FILE,
                pieces.bpe().merges().size(), s.vocabularies().merges().containsKey(Bpe.INPUT_FILE) ? "the parent's"
                : "learned on the training part's words")) + fitting.describe(s.train()) + skipped;
        ObjectNode warm = fitting.toJson();
        files.put(WORDS, words.toText().getBytes(StandardCharsets.UTF_8));
        files.put(LABELS, labels.toText().getBytes(StandardCharsets.UTF_8));
        int batch = s.batch();
        return new PreparedData(spec, files, parts, describe, PreparedData.HeldOut.of(params -> {
            ClassCounts cc = counts(sc, LocalModel.of(spec, params), validEncoded, labels.size(), batch);
            return Validation.of(1 - cc.accuracy(), "accuracy", cc.accuracy(), "macro_f1", cc.macroF1());
        }, params -> {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            counts(sc, LocalModel.of(spec, params), validEncoded, labels.size(), batch).toJson(n, "valid_",
                    labels.tokens(), true);
            ClassificationBaselines.score(sc, train, valid, pieces, labels, s.maxVocabulary()).toJson(n, "valid_");
            if (warm != null) {
                n.set("warm_start_vocabulary", warm.deepCopy());
            }
            return n;
        }));
    }

    /**
     * The confusion matrix of the model's labels on {@code data}, computed in the tasks; a text whose label the
     * model does not know (label -1) is counted apart, as an error.
     */
    public static ClassCounts counts(JavaSparkContext sc, LocalModel model, JavaRDD<Encoded> data, int classes,
            int batch) {
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
                        int label = chunk.get(r).label();
                        if (label < 0) {
                            cc.addUnknownTruth();
                        } else {
                            cc.add(label, LocalModel.argmax(p.get(r)));
                        }
                    }
                }
                return Collections.singletonList(cc).iterator();
            }).reduce(ClassCounts::merge);
        } finally {
            b.destroy();
        }
    }

    /** The text a document is split by: its file's folder and name, and its text. */
    public static String splitKey(LabelledText d) {
        return Splits.fileKey(d.file(), d.text());
    }

    /**
     * Classifies every text (id, text), in the tasks: rows (id, predicted label, its probability); an empty text is
     * read as one unknown token.
     */
    public static JavaRDD<Object[]> classify(JavaSparkContext sc, LocalModel model,
            JavaRDD<Tuple2<String, String>> texts, Vocabulary words, Vocabulary labels,
            ClassificationSettings.Tokenizer tok, int batch) {
        Broadcast<LocalModel> b = sc.broadcast(model);
        return texts.mapPartitions(it -> {
            LocalModel lm = b.value().copy();
            List<Object[]> res = new ArrayList<>();
            for (List<Tuple2<String, String>> chunk : LocalModel.chunks(it, batch)) {
                List<String> t = new ArrayList<>(chunk.size());
                chunk.forEach(c -> t.add(c._2()));
                List<float[]> p = probabilities(lm, t, words, tok);
                for (int r = 0; r < chunk.size(); r++) {
                    int best = LocalModel.argmax(p.get(r));
                    res.add(new Object[] {chunk.get(r)._1(), labels.token(best), (double) p.get(r)[best]});
                }
            }
            return res.iterator();
        });
    }

    /**
     * The class probabilities of one batch of texts, in the order of the model's labels (run in a task, on its own
     * {@link LocalModel#copy}); an empty text is read as one unknown token.
     */
    public static List<float[]> probabilities(LocalModel lm, List<String> texts, Vocabulary words,
            ClassificationSettings.Tokenizer tok) {
        List<int[]> ids = new ArrayList<>(texts.size());
        for (String t : texts) {
            int[] x = words.encode(tok.tokens(t));
            // an empty text is read as one unknown token: the model still gives its prior
            ids.add(x.length > 0 ? x : new int[] {Vocabulary.UNK_ID});
        }
        return lm.pooledProbabilities(ids, Vocabulary.PAD_ID);
    }
}
