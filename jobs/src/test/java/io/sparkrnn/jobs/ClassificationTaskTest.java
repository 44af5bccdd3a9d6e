package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SpamAssassin classifier end to end on the shipped sample in local[2]: train, evaluate, predict, inspect. */
class ClassificationTaskTest {
    @TempDir
    Path tmp;

    static final Map<String, String> FOLDERS = Map.of("easy-ham-1", "ham", "easy-ham-2", "ham", "hard-ham-1", "ham",
            "spam-1", "spam", "spam-2", "spam");

    @Test
    void trainsEvaluatesAndClassifiesTheSpamSample() throws Exception {
        Path out = tmp.resolve("spam");
        String corpus = TaskTesting.path("data/samples/spam-assassin");
        Commands.Run r = TaskTesting.ok(TaskTesting.train("conf/spam-classifier.conf", out, "data.train=" + corpus,
                "model.hidden=32", "data.max-length=120", "train.k1=120", "train.k2=120", "train.rounds=4",
                "train.local-steps=10", "eval.every=2"));
        assertTrue(r.out().contains("labels [ham, spam]"), r.out());

        // the sample's documents by label, counted here
        long ham = 0;
        long spam = 0;
        for (Map.Entry<String, String> f : FOLDERS.entrySet()) {
            try (Stream<Path> s = Files.list(Path.of(corpus, f.getKey()))) {
                long n = s.count();
                if (f.getValue().equals("ham")) {
                    ham += n;
                } else {
                    spam += n;
                }
            }
        }
        double majority = (double) Math.max(ham, spam) / (ham + spam);

        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        assertEquals("classify", eval.get("task").asText());
        // the labels are exactly the data's: no <unk> class in the model or the matrix
        assertEquals(List.of("ham", "spam"), List.of(eval.get("valid_confusion").get("labels").get(0).asText(),
                eval.get("valid_confusion").get("labels").get(1).asText()));
        assertEquals(2, eval.get("valid_confusion").get("labels").size());
        assertEquals(2, eval.get("valid_confusion").get("matrix").get(0).size());
        assertEquals(0, eval.get("valid_unknown_label_count").asLong());
        assertTrue(eval.get("valid_per_class").has("spam") && eval.get("valid_per_class").get("spam").has("f1"), eval.toString());
        // the baselines on the same texts: ham, the majority of the training texts, always; naive Bayes on words
        assertTrue(ham > spam);
        assertEquals(eval.get("valid_per_class").get("ham").get("support").asDouble() / eval.get("valid_count")
                .asLong(), eval.get("valid_majority_accuracy").asDouble(), 1e-12);
        for (String k : List.of("valid_majority_macro_f1", "valid_naive_bayes_accuracy", "valid_naive_bayes_macro_f1")) {
            double v = eval.get(k).asDouble();
            assertTrue(v > 0 && v <= 1, k + " " + eval);
        }
        assertTrue(eval.get("valid_naive_bayes_accuracy").asDouble() > eval.get("valid_majority_accuracy").asDouble(),
                eval.toString());
        assertTrue(r.out().contains("valid_naive_bayes_accuracy"), r.out());

        // evaluate on the whole sample (training and held-out texts): every document counted
        JsonNode ev = TaskTesting.printed(TaskTesting.ok("evaluate", out.toString(), "--data", corpus, "--master",
                "local[2]"));
        assertEquals(ham + spam, ev.get("count").asLong());
        double accuracy = ev.get("accuracy").asDouble();
        System.out.printf("classifier: accuracy %.4f on the sample (majority class %.4f), held-out accuracy %.4f "
                + "(%d texts), spam F1 %.4f%n", accuracy, majority, eval.get("valid_accuracy").asDouble(),
                eval.get("valid_count").asLong(), ev.get("per_class").get("spam").get("f1").asDouble());
        assertTrue(accuracy > majority + 0.15, "accuracy " + accuracy + " vs majority class " + majority);
        // the baselines fitted on the training part of the model's corpus, scored on every document
        assertEquals(majority, ev.get("majority_accuracy").asDouble(), 1e-12);
        assertTrue(ev.get("naive_bayes_accuracy").asDouble() > majority, ev.toString());
        long[][] m = new long[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                m[i][j] = ev.get("confusion").get("matrix").get(i).get(j).asLong();
            }
        }
        assertEquals(ham, m[0][0] + m[0][1]);
        assertEquals(spam, m[1][0] + m[1][1]);

        // the held-out texts re-derived from the saved config: eval.json's figures exactly
        JsonNode held = TaskTesting.heldOut(out, "validation");
        assertEquals(eval.get("valid_count").asLong(), held.get("count").asLong());
        assertEquals(eval.get("valid_accuracy").asDouble(), held.get("accuracy").asDouble(), 1e-12);
        for (String k : List.of("majority_accuracy", "majority_macro_f1", "naive_bayes_accuracy",
                "naive_bayes_macro_f1")) {
            assertEquals(eval.get("valid_" + k).asDouble(), held.get(k).asDouble(), 1e-12, k);
        }

        // predict to Parquet: one row per document, a label and its probability
        Path pred = tmp.resolve("pred");
        TaskTesting.ok("predict", out.toString(), "--data", corpus, "--output", pred.toString(), "--format", "parquet",
                "--master", "local[2]");
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            Dataset<Row> rows = spark.read().parquet(pred.toString());
            assertEquals(List.of("id", "label", "probability"), List.of(rows.columns()));
            assertEquals(ham + spam, rows.count());
            long right = 0;
            for (Row row : rows.collectAsList()) {
                String folder = Path.of(java.net.URI.create(row.getString(0)).getPath()).getParent().getFileName()
                        .toString();
                double p = row.getDouble(2);
                assertTrue(p >= 0.5 && p <= 1.0, "probability " + p);
                right += FOLDERS.get(folder).equals(row.getString(1)) ? 1 : 0;
            }
            // the predictions agree with evaluate's accuracy on the same documents
            assertEquals(accuracy, (double) right / (ham + spam), 1e-9);
        }

        // one text a line, as plain lines
        Path lines = tmp.resolve("texts.txt");
        Files.writeString(lines, "Subject: cheap meds online, click here now\nSubject: meeting notes for tomorrow\n");
        Path pred2 = tmp.resolve("pred2");
        TaskTesting.ok("predict", out.toString(), "--data", lines.toString(), "--output", pred2.toString(),
                "--input-format", "lines", "--master", "local[2]");
        List<String[]> rows = TaskTesting.tsvRows(pred2);
        assertEquals(2, rows.size());
        assertTrue(rows.get(0)[0].endsWith("texts.txt:1") && List.of("ham", "spam").contains(rows.get(0)[1]),
                String.join("|", rows.get(0)));

        Commands.Run ins = TaskTesting.ok("inspect", out.toString());
        assertTrue(ins.out().contains("task: classify") && ins.out().contains("vocab-labels.txt: 2 entries"),
                ins.out());

        ExportTesting.classifier(out, tmp, Path.of(corpus, "spam-1"));
    }

    @Test
    void aTestPartIsHeldOutBesideTheValidationPartAndEvaluatedApart() throws Exception {
        Path out = tmp.resolve("spam-test");
        String corpus = TaskTesting.path("data/samples/spam-assassin");
        Commands.Run r = TaskTesting.ok(TaskTesting.train("conf/spam-classifier.conf", out, "data.train=" + corpus,
                "model.hidden=16", "data.max-length=60", "train.k1=60", "train.k2=60", "train.rounds=2",
                "train.local-steps=5", "data.validation-fraction=0.2", "data.test-fraction=0.3"));
        assertTrue(r.out().contains("(and a test part of data.test-fraction 0.3, left out of training and "
                + "validation: evaluate --part test)"), r.out());
        long all = 0;
        for (String folder : FOLDERS.keySet()) {
            try (Stream<Path> s = Files.list(Path.of(corpus, folder))) {
                all += s.count();
            }
        }
        JsonNode eval = TaskTesting.jsonFile(out.resolve("eval.json"));
        JsonNode valid = TaskTesting.heldOut(out, "validation");
        JsonNode test = TaskTesting.heldOut(out, "test");
        assertEquals(eval.get("valid_count").asLong(), valid.get("count").asLong());
        long v = valid.get("count").asLong();
        long t = test.get("count").asLong();
        // the shares of the seeded split, give or take its spread; the training part keeps the rest
        assertTrue(v > 0.1 * all && v < 0.3 * all, v + " validation of " + all);
        assertTrue(t > 0.2 * all && t < 0.4 * all, t + " test of " + all);
        assertTrue(all - v - t > 0.35 * all, (all - v - t) + " training of " + all);
        // the baselines are fitted on the training part and scored on the test texts
        assertTrue(test.get("naive_bayes_accuracy").asDouble() > 0, test.toString());
        assertEquals(t, test.get("confusion").get("matrix").get(0).get(0).asLong()
                + test.get("confusion").get("matrix").get(0).get(1).asLong()
                + test.get("confusion").get("matrix").get(1).get(0).asLong()
                + test.get("confusion").get("matrix").get(1).get(1).asLong());
    }
}
