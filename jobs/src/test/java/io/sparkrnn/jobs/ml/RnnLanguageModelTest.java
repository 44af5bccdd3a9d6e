package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The language model as a Spark ML stage in local[2]: a Pipeline holding an RnnLanguageModel fitted on the lines of
 * the shipped Moby Dick sample, saved, loaded as a PipelineModel and applied to a column of prompts; every generated
 * text is {@code bin/spark-rnn predict --prompt}'s on the model folder the stage wrote, with the same seed.
 */
class RnnLanguageModelTest {
    static final int LENGTH = 60;
    static final int SEED = 7;
    static final int TOP_K = 5;

    @TempDir
    Path tmp;

    @Test
    void aPipelineFitsSavesLoadsAndGeneratesAsThePredictCommand() throws Exception {
        List<String> lines = Files.readAllLines(Commands.repo("data/samples/moby-dick/moby-dick.txt"),
                StandardCharsets.UTF_8).subList(0, 3000);
        Path saved = tmp.resolve("pipeline");
        Path run = tmp.resolve("run");
        // a prompt of 129 characters: one window of evaluate --data, whose bits per char it gets
        String joined = String.join("\n", lines.subList(100, 200));
        String long129 = joined.substring(0, joined.offsetByCodePoints(0, 129));
        List<String> prompts = List.of("Call me ", "The whale ", "It was", long129, "\u2603 snow", "");
        Map<String, String> generated = new HashMap<>();
        Map<String, Double> bits = new HashMap<>();
        String stage;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnLanguageModelTest").getOrCreate();
        try {
            List<Row> cells = new ArrayList<>();
            for (String l : lines) {
                cells.add(RowFactory.create(l));
            }
            Dataset<Row> text = spark.createDataFrame(cells, new StructType().add("line", DataTypes.StringType));
            RnnLanguageModel lm = new RnnLanguageModel().setTextCol("line").setEmbedding(16).setHidden(64)
                    .setBatch(16).setK1(32).setK2(32).setLearningRate(5e-3).setRounds(6).setLocalSteps(20)
                    .setEvalEvery(6).setOutputDir(run.toString()).setLength(LENGTH).setSampleSeed(SEED).setTopK(TOP_K)
                    .setTemperature(0.8);
            PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {lm}).fit(text);
            fitted.write().save(saved.toString());

            PipelineModel loaded = PipelineModel.load(saved.toString());
            RnnLanguageModelModel model = (RnnLanguageModelModel) loaded.stages()[0];
            stage = "0_" + model.uid();
            // the generation params set on the estimator reached the fitted model and survived its save and load
            assertEquals(List.of(LENGTH, 0.8, TOP_K, SEED), List.of(model.getLength(), model.getTemperature(),
                    model.getTopK(), model.getSampleSeed()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setLength(0));
            assertTrue(e.getMessage().contains("param length must be >= 1, found 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.setTemperature(0));
            assertTrue(e.getMessage().contains("param temperature must be > 0.0, found 0.0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.setTopK(-1));
            assertTrue(e.getMessage().contains("param topK must be >= 0, found -1"), e.getMessage());
            List<Row> p = new ArrayList<>();
            for (String s : prompts) {
                p.add(RowFactory.create(s));
            }
            p.add(RowFactory.create((Object) null));
            Dataset<Row> rows = spark.createDataFrame(p, new StructType().add("prompt", DataTypes.StringType));
            for (Row r : loaded.transform(rows).collectAsList()) {
                generated.put(r.getString(0), r.getString(1));
                bits.put(r.getString(0), r.isNullAt(2) ? null : r.getDouble(2));
            }
            // the same seed draws the same text again; another seed another text
            RnnLanguageModelModel again = (RnnLanguageModelModel) fitted.stages()[0];
            assertEquals(List.of(LENGTH, TOP_K, SEED), List.of(again.getLength(), again.getTopK(),
                    again.getSampleSeed()));
            assertEquals(generated.get("Call me "), again.transform(rows).filter("prompt = 'Call me '")
                    .first().getString(1));
            again.setSampleSeed(SEED + 1);
            assertNotEquals(generated.get("Call me "), again.transform(rows).filter("prompt = 'Call me '")
                    .first().getString(1));
        } finally {
            spark.stop();
        }
        // a character the model never saw, an empty and a null prompt: no text
        assertNull(generated.get("\u2603 snow"));
        assertNull(generated.get(""));
        assertNull(generated.get(null));
        assertNull(bits.get("\u2603 snow"));
        assertNull(bits.get(null));

        Path folder = saved.resolve("stages").resolve(stage).resolve("model");
        int n = 0;
        for (String prompt : prompts.subList(0, 4)) {
            String out = Commands.ok("predict", folder.toString(), "--prompt", prompt, "--length",
                    String.valueOf(LENGTH), "--seed", String.valueOf(SEED), "--top-k", String.valueOf(TOP_K),
                    "--temperature", "0.8");
            String text = generated.get(prompt);
            assertTrue(text.startsWith(prompt), text);
            assertEquals(prompt.length() + LENGTH, text.codePointCount(0, text.length()), text);
            assertEquals(text + System.lineSeparator(), out, prompt);
            n++;
        }
        Path text = tmp.resolve("prompt.txt");
        Files.writeString(text, long129, StandardCharsets.UTF_8);
        double evaluated = new ObjectMapper().readTree(Commands.ok("evaluate", folder.toString(), "--data",
                text.toString())).path("bits_per_char").asDouble();
        assertEquals(evaluated, bits.get(long129), 1e-6);
        assertTrue(bits.get("Call me ") > 0, bits.toString());
        double valid = new ObjectMapper().readTree(run.resolve("eval.json").toFile()).path("valid_bits_per_char")
                .asDouble();
        int vocab = Files.readAllLines(folder.resolve("vocab-chars.txt")).size();
        System.out.printf("RnnLanguageModel: %d prompts generated as predict's; a 129-character prompt %.4f bits per "
                + "char as evaluate's; validation %.3f bits per char (uniform over %d characters: %.3f)%n", n,
                evaluated, valid, vocab, Math.log(vocab) / Math.log(2));
        // a model that learned something: well below the uniform distribution's bits
        assertTrue(valid < Math.log(vocab) / Math.log(2) - 1.5, valid + " bits per char");
        assertTrue(Arrays.asList(run.toFile().list()).contains("metrics.jsonl"));
    }

    @Test
    void paramsDefaultToTheConfigKeysAndPredictsOptionsAndRefuseBadValues() throws Exception {
        RnnLanguageModel lm = new RnnLanguageModel();
        assertEquals(ConfigSchema.byPath().get("train.k1").defaultValue(), lm.getOrDefault(lm.k1()));
        assertEquals(ConfigSchema.byPath().get("data.tokens").defaultValue(), lm.getOrDefault(lm.tokens()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lm.setTokens("byte"));
        assertTrue(e.getMessage().contains("param tokens (config key data.tokens) must be char | word"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lm.setK1(0));
        assertTrue(e.getMessage().contains("param k1 (config key train.k1) must be >= 1, found 0"), e.getMessage());
        // the generation params: predict's defaults, checked on the estimator as on the model
        assertEquals(List.of(300, 0.8, 0, 1), List.of(lm.getLength(), lm.getTemperature(), lm.getTopK(),
                lm.getSampleSeed()));
        e = assertThrows(IllegalArgumentException.class, () -> lm.setTemperature(0));
        assertTrue(e.getMessage().contains("param temperature must be > 0.0, found 0.0"), e.getMessage());
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnLanguageModelTest").getOrCreate();
        try {
            Dataset<Row> nums = spark.createDataFrame(List.of(RowFactory.create(1)), new StructType().add("text",
                    DataTypes.IntegerType));
            e = assertThrows(IllegalArgumentException.class, () -> lm.fit(nums));
            assertTrue(e.getMessage().contains("textCol: column 'text' must be string, found int"), e.getMessage());
            // an estimator's save and load keeps its generation params
            lm.setLength(42).setTemperature(1.5).setTopK(3).setSampleSeed(9);
            lm.write().save(tmp.resolve("estimator").toString());
            RnnLanguageModel back = RnnLanguageModel.load(tmp.resolve("estimator").toString());
            assertEquals(List.of(42, 1.5, 3, 9), List.of(back.getLength(), back.getTemperature(), back.getTopK(),
                    back.getSampleSeed()));
        } finally {
            spark.stop();
        }
    }
}
