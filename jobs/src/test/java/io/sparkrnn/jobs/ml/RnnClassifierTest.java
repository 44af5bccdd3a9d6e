package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.classify.ClassificationData;
import io.sparkrnn.driver.corpus.classify.ClassificationSettings;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier as a Spark ML stage in local[2]: a Pipeline of RegexTokenizer and RnnClassifier fitted on the
 * shipped SpamAssassin sample, saved, loaded as a PipelineModel and applied; its predictions are those of
 * {@code bin/spark-rnn predict} on the model folder the stage wrote.
 */
class RnnClassifierTest {
    @TempDir
    Path tmp;

    @Test
    void aPipelineFitsSavesLoadsAndPredictsAsThePredictCommand() throws Exception {
        String corpus = Commands.repo("data/samples/spam-assassin").toString();
        Path saved = tmp.resolve("pipeline");
        Map<String, String> labels = new HashMap<>();
        Map<String, double[]> probabilities = new HashMap<>();
        Map<String, String> truth = new HashMap<>();
        String[] order;
        String stage;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnClassifierTest").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            // the sample's e-mails as the predict command reads them: (file, label, text), labelled as
            // conf/spam-classifier.conf labels them
            Map<String, String> folders = Map.of("easy-ham-1", "ham", "easy-ham-2", "ham", "hard-ham-1", "ham",
                    "spam-1", "spam", "spam-2", "spam");
            List<LabelledText> mails = ClassificationData.read(sc, new ClassificationSettings.Reading(folders, 0.0),
                    "folders", corpus).records().collect();
            List<Row> cells = mails.stream().map(m -> RowFactory.create(m.file(), m.label(), m.text())).toList();
            Dataset<Row> rows = spark.createDataFrame(cells, new StructType().add("file", DataTypes.StringType)
                    .add("label", DataTypes.StringType).add("text", DataTypes.StringType));

            RegexTokenizer tokenizer = new RegexTokenizer().setInputCol("text").setOutputCol("words");
            RnnClassifier classifier = new RnnClassifier().setInputCol("words").setLabelCol("label")
                    .setLowercase(true).setMaxLength(120).setMinCount(2).setHidden(32).setPooling("mean")
                    .setBatch(16).setLearningRate(5e-3).setRounds(6).setLocalSteps(10).setEvalEvery(3);
            // the estimator saves and loads with its params
            classifier.write().save(tmp.resolve("estimator").toString());
            RnnClassifier reloaded = RnnClassifier.load(tmp.resolve("estimator").toString());
            assertEquals(classifier.uid(), reloaded.uid());
            assertEquals(32, reloaded.getHidden());
            assertEquals(120, reloaded.getMaxLength());
            assertEquals("words", reloaded.getInputCol());
            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {tokenizer, classifier});
            PipelineModel fitted = pipeline.fit(rows);
            fitted.write().save(saved.toString());

            PipelineModel loaded = PipelineModel.load(saved.toString());
            RnnClassificationModel model = (RnnClassificationModel) loaded.stages()[1];
            order = model.labels();
            assertEquals(List.of("ham", "spam"), List.of(order));
            stage = "1_" + model.uid();
            List<Row> out = loaded.transform(rows).select("file", "prediction", "probability", "label")
                    .collectAsList();
            assertEquals(mails.size(), out.size());
            for (Row r : out) {
                labels.put(r.getString(0), r.getString(1));
                truth.put(r.getString(0), r.getString(3));
                probabilities.put(r.getString(0), ((Vector) r.get(2)).toArray());
            }
            // the fitted model in memory predicts as the loaded one
            List<Row> before = fitted.transform(rows).select("file", "prediction").collectAsList();
            for (Row r : before) {
                assertEquals(labels.get(r.getString(0)), r.getString(1), r.getString(0));
            }
        } finally {
            spark.stop();
        }

        // the stage's folder: Spark's metadata and a model folder that predict reads
        Path folder = saved.resolve("stages").resolve(stage);
        assertTrue(Files.isRegularFile(folder.resolve("metadata").resolve("part-00000")), folder.toString());
        assertTrue(Files.isRegularFile(folder.resolve("model").resolve("MANIFEST.sha256")), folder.toString());
        Path pred = tmp.resolve("pred");
        Commands.ok("predict", folder.resolve("model").toString(), "--data", corpus, "--input-format", "folders",
                "--output", pred.toString(), "--master", "local[2]");
        int n = 0;
        int spam = 0;
        int right = 0;
        try (Stream<Path> parts = Files.list(pred)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.split("\t", -1);
                    assertEquals(labels.get(f[0]), f[1], f[0]);
                    int label = List.of(order).indexOf(f[1]);
                    assertEquals(Double.parseDouble(f[2]), probabilities.get(f[0])[label], 1e-6, f[0]);
                    assertEquals(1.0, probabilities.get(f[0])[0] + probabilities.get(f[0])[1], 1e-6, f[0]);
                    spam += f[1].equals("spam") ? 1 : 0;
                    right += f[1].equals(truth.get(f[0])) ? 1 : 0;
                    n++;
                }
            }
        }
        assertEquals(labels.size(), n);
        long ham = truth.values().stream().filter("ham"::equals).count();
        double majority = (double) Math.max(ham, n - ham) / n;
        System.out.printf("RnnClassifier: %d e-mails, %d predicted spam, accuracy %.4f (majority class %.4f), every "
                + "prediction as predict's%n", n, spam, (double) right / n, majority);
        // a model that learned something: both labels predicted, better than the majority class
        assertTrue(spam > 0 && spam < n, spam + " of " + n);
        assertTrue((double) right / n > majority, right + " of " + n);
    }

    @Test
    void paramsDefaultToTheConfigKeysAndRefuseValuesOutsideTheirRange() {
        RnnClassifier c = new RnnClassifier();
        assertEquals(ConfigSchema.byPath().get("model.hidden").defaultValue(), c.getHidden());
        assertEquals(ConfigSchema.byPath().get("train.rounds").defaultValue(), c.getRounds());
        assertEquals(ConfigSchema.byPath().get("train.lr").defaultValue(), c.getLearningRate());
        assertEquals(ConfigSchema.byPath().get("data.max-length").defaultValue(), c.getMaxLength());
        assertEquals(ConfigSchema.byPath().get("model.cell").defaultValue(), c.getOrDefault(c.cell()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.setHidden(0));
        assertTrue(e.getMessage().contains("param hidden (config key model.hidden) must be >= 1, found 0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setCell("transformer"));
        assertTrue(e.getMessage().contains("param cell (config key model.cell) must be lstm | gru | rnn"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setValidationFraction(0.9));
        assertTrue(e.getMessage().contains("param validationFraction"), e.getMessage());
        // the refused values left the defaults in place
        assertEquals(ConfigSchema.byPath().get("model.hidden").defaultValue(), c.getHidden());
    }
}
