package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.tagging.TaggingSettings;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.config.ConfigSchema;
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
 * The tagger as a Spark ML stage in local[2]: a Pipeline holding an RnnTagger fitted on two files of the shipped
 * Brown sample, saved, loaded as a PipelineModel and applied; its tags are those of {@code bin/spark-rnn predict}
 * on the model folder the stage wrote, sentence by sentence.
 */
class RnnTaggerTest {
    @TempDir
    Path tmp;

    @Test
    void aPipelineFitsSavesLoadsAndTagsAsThePredictCommand() throws Exception {
        String corpus = Commands.repo("data/samples/brown").resolve("ca0[12]").toString();
        Path saved = tmp.resolve("pipeline");
        List<String> tagged = new ArrayList<>();
        List<String[]> gold = new ArrayList<>();
        String stage;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnTaggerTest").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            // the sentences in the order the predict command reads and numbers them
            List<TaggedSentence> sentences = TaggingData.read(sc, new TaggingSettings.Reading(0, 1, true, 0.0,
                    false), "brown", corpus).records().collect();
            List<Row> cells = new ArrayList<>();
            for (int i = 0; i < sentences.size(); i++) {
                cells.add(RowFactory.create((long) i, List.of(sentences.get(i).tokens()),
                        List.of(sentences.get(i).tags())));
                gold.add(sentences.get(i).tags());
            }
            Dataset<Row> rows = spark.createDataFrame(cells, new StructType().add("sentence", DataTypes.LongType)
                    .add("tokens", Columns.TOKENS).add("tags", Columns.TOKENS));

            RnnTagger tagger = new RnnTagger().setBidirectional(true).setMinCount(2).setEmbedding(32).setHidden(32)
                    .setLearningRate(5e-3).setRounds(6).setLocalSteps(10).setEvalEvery(3);
            PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {tagger}).fit(rows);
            fitted.write().save(saved.toString());

            PipelineModel loaded = PipelineModel.load(saved.toString());
            RnnTaggingModel model = (RnnTaggingModel) loaded.stages()[0];
            stage = "0_" + model.uid();
            Map<Long, String> bySentence = new HashMap<>();
            for (Row r : loaded.transform(rows).select("sentence", "tokens", "prediction").collectAsList()) {
                List<String> w = r.getList(1);
                List<String> t = r.getList(2);
                assertEquals(w.size(), t.size());
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < w.size(); i++) {
                    sb.append(i == 0 ? "" : " ").append(w.get(i)).append('/').append(t.get(i));
                }
                bySentence.put(r.getLong(0), sb.toString());
            }
            for (long i = 0; i < sentences.size(); i++) {
                tagged.add(bySentence.get(i));
            }
        } finally {
            spark.stop();
        }

        Path folder = saved.resolve("stages").resolve(stage);
        assertTrue(Files.isRegularFile(folder.resolve("model").resolve("MANIFEST.sha256")), folder.toString());
        Path pred = tmp.resolve("pred");
        Commands.ok("predict", folder.resolve("model").toString(), "--data", corpus, "--output", pred.toString(),
                "--master", "local[2]");
        int n = 0;
        long words = 0;
        long right = 0;
        Map<String, Long> tagCounts = new HashMap<>();
        try (Stream<Path> parts = Files.list(pred)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.split("\t", -1);
                    int i = Integer.parseInt(f[0]);
                    assertEquals(tagged.get(i), f[1], "sentence " + i);
                    String[] pairs = f[1].split(" ");
                    for (int w = 0; w < pairs.length; w++) {
                        String tag = pairs[w].substring(pairs[w].lastIndexOf('/') + 1);
                        right += tag.equals(gold.get(i)[w]) ? 1 : 0;
                        tagCounts.merge(gold.get(i)[w], 1L, Long::sum);
                        words++;
                    }
                    n++;
                }
            }
        }
        assertEquals(tagged.size(), n);
        double majority = (double) tagCounts.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                / words;
        System.out.printf("RnnTagger: %d sentences, %d words, token accuracy %.4f (most frequent tag %.4f), every "
                + "sentence as predict's%n", n, words, (double) right / words, majority);
        assertTrue((double) right / words > 2 * majority, right + " of " + words);
    }

    @Test
    void paramsDefaultToTheConfigKeysAndRefuseValuesOutsideTheirRange() {
        RnnTagger t = new RnnTagger();
        assertEquals(ConfigSchema.byPath().get("train.k1").defaultValue(), t.getOrDefault(t.k1()));
        assertEquals(ConfigSchema.byPath().get("model.bidirectional").defaultValue(),
                t.getOrDefault(t.bidirectional()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.setLayers(17));
        assertTrue(e.getMessage().contains("param layers (config key model.layers) must be >= 1, <= 16, found 17"),
                e.getMessage());
    }
}
