package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqSettings;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.jobs.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder-decoder as a Spark ML stage in local[2]: a Pipeline holding an RnnSeq2Seq fitted on the shipped
 * CMUdict sample (spelling to phones), saved, loaded as a PipelineModel and applied; its outputs and scores are
 * those of {@code bin/spark-rnn predict} on the model folder the stage wrote, word by word.
 */
class RnnSeq2SeqTest {
    static final int MAX_SOURCE = 12;

    @TempDir
    Path tmp;

    @Test
    void aPipelineFitsSavesLoadsAndDecodesAsThePredictCommand() throws Exception {
        String corpus = Commands.repo("data/samples/cmudict/cmudict-sample.txt").toString();
        Path saved = tmp.resolve("pipeline");
        Path words = tmp.resolve("words.txt");
        Map<String, String> outputs = new HashMap<>();
        Map<String, Double> scores = new HashMap<>();
        Map<String, String> phones = new HashMap<>();
        String stage;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnSeq2SeqTest").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<TextPair> pairs = Seq2SeqData.read(sc, new Seq2SeqSettings.Reading(false, TokenUnit.CHARS,
                    TokenUnit.WORDS, "source", "target", false, 0.0), "cmudict", corpus).records().collect();
            List<Row> cells = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (TextPair p : pairs) {
                String word = String.join("", p.source());
                cells.add(RowFactory.create(word, String.join(" ", p.target())));
                lines.add(word);
                phones.put(word, String.join(" ", p.target()));
            }
            Files.write(words, lines);
            Dataset<Row> rows = spark.createDataFrame(cells, new StructType().add("word", DataTypes.StringType)
                    .add("phones", DataTypes.StringType));

            RnnSeq2Seq g2p = new RnnSeq2Seq().setInputCol("word").setLabelCol("phones").setSourceTokens("char")
                    .setTargetTokens("word").setMaxSourceLength(MAX_SOURCE).setEmbedding(16).setHidden(32)
                    .setLearningRate(0.01).setRounds(4).setLocalSteps(20).setEvalEvery(4);
            PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {g2p}).fit(rows);
            fitted.write().save(saved.toString());

            PipelineModel loaded = PipelineModel.load(saved.toString());
            stage = "0_" + loaded.stages()[0].uid();
            for (Row r : loaded.transform(rows).select("word", "prediction", "score").collectAsList()) {
                outputs.put(r.getString(0), r.getString(1));
                scores.put(r.getString(0), r.getDouble(2));
            }
        } finally {
            spark.stop();
        }

        Path folder = saved.resolve("stages").resolve(stage);
        Path pred = tmp.resolve("pred");
        Commands.ok("predict", folder.resolve("model").toString(), "--data", words.toString(), "--input-format",
                "lines", "--output", pred.toString(), "--master", "local[2]");
        int n = 0;
        int tooLong = 0;
        int right = 0;
        try (Stream<Path> parts = Files.list(pred)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.split("\t", -1);
                    assertNotNull(outputs.get(f[0]), f[0]);
                    assertEquals(outputs.get(f[0]), f[1], f[0]);
                    double score = Double.parseDouble(f[2]);
                    if (Double.isNaN(score)) {
                        assertTrue(Double.isNaN(scores.get(f[0])), f[0]);
                        assertEquals("", f[1], f[0]);
                        tooLong++;
                    } else {
                        assertEquals(score, scores.get(f[0]), 1e-6, f[0]);
                    }
                    right += f[1].equals(phones.get(f[0])) ? 1 : 0;
                    n++;
                }
            }
        }
        assertEquals(outputs.size(), n);
        long longer = outputs.keySet().stream().filter(w -> w.length() > MAX_SOURCE).count();
        assertEquals(longer, tooLong);
        System.out.printf("RnnSeq2Seq: %d words (%d longer than %d letters), %d pronounced exactly as the "
                + "dictionary, every output as predict's%n", n, tooLong, MAX_SOURCE, right);
        assertTrue(right > 0, "no word pronounced right");
    }
}
