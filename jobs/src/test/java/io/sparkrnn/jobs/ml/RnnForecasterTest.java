package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrnn.driver.corpus.forecast.Calendar;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
 * The forecaster as a Spark ML stage in local[2]: a Pipeline holding an RnnForecaster fitted on the shipped US
 * births sample (its rows given newest first: the stage orders them by date), saved, loaded as a PipelineModel and
 * applied; every forecast is {@code bin/spark-rnn predict}'s on the model folder the stage wrote, window by window.
 */
class RnnForecasterTest {
    static final int WINDOW = 14;
    static final int HORIZON = 2;

    @TempDir
    Path tmp;

    private static String date(Row r) {
        return r.getInt(0) + "-" + r.getInt(1) + "-" + r.getInt(2);
    }

    @Test
    void aPipelineFitsSavesLoadsAndForecastsAsThePredictCommand() throws Exception {
        Path csv = Commands.repo("data/samples/us-births/us-births.csv");
        List<String> lines = Files.readAllLines(csv);
        assertEquals("year,month,date_of_month,day_of_week,births", lines.get(0));
        List<Row> cells = new ArrayList<>();
        List<String> dates = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            Row r = RowFactory.create(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), Integer.parseInt(f[4]));
            cells.add(r);
            dates.add(date(r));
        }
        Collections.reverse(cells);
        Path saved = tmp.resolve("pipeline");
        Path run = tmp.resolve("run");
        Map<String, double[]> forecasts = new HashMap<>();
        String[] outputs;
        String stage;
        int nulls = 0;
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnForecasterTest").getOrCreate();
        try {
            Dataset<Row> rows = spark.createDataFrame(cells, new StructType().add("year", DataTypes.IntegerType)
                    .add("month", DataTypes.IntegerType).add("date_of_month", DataTypes.IntegerType)
                    .add("day_of_week", DataTypes.IntegerType).add("births", DataTypes.IntegerType));
            RnnForecaster births = new RnnForecaster().setTimeColumns("year,month,date_of_month")
                    .setFeatures("births").setTargets("births").setCalendar("day-of-week").setResidual(true)
                    .setWindow(WINDOW).setHorizon(HORIZON).setValidationRows(365).setTestRows(366).setHidden(16)
                    .setLearningRate(3e-3).setRounds(8).setLocalSteps(10).setEvalEvery(4)
                    .setOutputDir(run.toString());
            PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {births}).fit(rows);
            fitted.write().save(saved.toString());

            PipelineModel loaded = PipelineModel.load(saved.toString());
            RnnForecastModel model = (RnnForecastModel) loaded.stages()[0];
            stage = "0_" + model.uid();
            outputs = model.outputs();
            List<Row> out = loaded.transform(rows).collectAsList();
            assertEquals(cells.size(), out.size());
            for (int i = 0; i < out.size(); i++) {
                // the rows keep their order
                assertEquals(date(cells.get(i)), date(out.get(i)));
                Row r = out.get(i);
                if (r.isNullAt(5)) {
                    nulls++;
                    continue;
                }
                List<Double> v = r.getList(5);
                forecasts.put(date(r), v.stream().mapToDouble(Double::doubleValue).toArray());
            }
            // the fitted model in memory forecasts as the loaded one
            for (Row r : fitted.transform(rows).filter("forecast IS NOT NULL").collectAsList()) {
                List<Double> v = r.getList(5);
                assertArrayEquals(forecasts.get(date(r)), v.stream().mapToDouble(Double::doubleValue).toArray(),
                        1e-9, date(r));
            }
        } finally {
            spark.stop();
        }
        assertArrayEquals(new String[] {"births_t+1", "births_t+2"}, outputs);
        // the first window - 1 rows and the last horizon rows end no window
        assertEquals(WINDOW - 1 + HORIZON, nulls);

        Path folder = saved.resolve("stages").resolve(stage).resolve("model");
        Path pred = tmp.resolve("pred");
        Commands.ok("predict", folder.toString(), "--data", csv.toString(), "--output", pred.toString(),
                "--master", "local[2]");
        int n = 0;
        int future = 0;
        double abs = 0;
        try (Stream<Path> parts = Files.list(pred)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.split("\t", -1);
                    int start = Integer.parseInt(f[0]);
                    if (start + WINDOW == dates.size()) {
                        // the forecast after the data's last day (ForecastTaskTest checks its value)
                        future++;
                        continue;
                    }
                    // the CSV is in time order: the window's last row is line window_start + WINDOW - 1
                    String end = dates.get(start + WINDOW - 1);
                    assertEquals(Calendar.date(dates.get(start + WINDOW).split("-")).toString(), f[1],
                            "time of the first predicted row");
                    double[] v = forecasts.get(end);
                    assertNotNull(v, end);
                    for (int o = 0; o < v.length; o++) {
                        double expected = Double.parseDouble(f[2 + 2 * o]);
                        assertEquals(expected, v[o], 1e-6 * Math.abs(expected), end + " " + outputs[o]);
                        abs += Math.abs(v[o] - Double.parseDouble(f[3 + 2 * o]));
                    }
                    n++;
                }
            }
        }
        assertEquals(forecasts.size(), n);
        assertEquals(1, future);
        assertEquals(dates.size() - WINDOW - HORIZON + 1, n);
        double mean = 0;
        for (Row r : cells) {
            mean += r.getInt(4);
        }
        mean /= cells.size();
        double spread = 0;
        for (Row r : cells) {
            spread += Math.abs(r.getInt(4) - mean);
        }
        spread /= cells.size();
        double mae = abs / (n * HORIZON);
        JsonNode eval = new ObjectMapper().readTree(run.resolve("eval.json").toFile());
        System.out.printf("RnnForecaster: %d windows forecast as predict's; MAE %.1f births (mean absolute deviation "
                + "%.1f); validation MAE %.1f, %.3f of the seasonal-naive's%n", n, mae, spread,
                eval.path("valid_mae").asDouble(), eval.path("valid_mae_vs_seasonal_naive").asDouble());
        // a model that learned something: far better than the series' mean
        assertTrue(mae < spread / 2, mae + " vs " + spread);
    }

    @Test
    void paramsDefaultToTheConfigKeysAndRefuseBadValuesAndColumns() {
        RnnForecaster f = new RnnForecaster();
        assertEquals(ConfigSchema.byPath().get("forecast.window").defaultValue(), f.getWindow());
        assertEquals(ConfigSchema.byPath().get("forecast.horizon").defaultValue(), f.getHorizon());
        assertEquals(ConfigSchema.byPath().get("forecast.features").defaultValue(), f.getOrDefault(f.features()));
        // a forecaster reads numbers: no vocabulary or embedding param that would do nothing
        for (String tokenParam : List.of("minCount", "maxVocabulary", "embedding")) {
            assertFalse(f.hasParam(tokenParam), tokenParam);
            assertTrue(new RnnLanguageModel().hasParam(tokenParam), tokenParam);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.setWindow(0));
        assertTrue(e.getMessage().contains("param window (config key forecast.window) must be >= 1, found 0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.setTestFraction(0.7));
        assertTrue(e.getMessage().contains("param testFraction (config key data.test-fraction) must be"),
                e.getMessage());
        SparkSession spark = SparkSession.builder().master("local[2]").appName("RnnForecasterTest").getOrCreate();
        try {
            List<Row> cells = new ArrayList<>();
            for (int d = 1; d <= 28; d++) {
                cells.add(RowFactory.create("2020-02-" + (d < 10 ? "0" + d : d), d % 2 == 0 ? "12" : "x"));
            }
            Dataset<Row> rows = spark.createDataFrame(cells, new StructType().add("date", DataTypes.StringType)
                    .add("value", DataTypes.StringType));
            e = assertThrows(IllegalArgumentException.class, () -> new RnnForecaster().setTimeColumns("date")
                    .setFeatures("value,nope").setTargets("value").fit(rows));
            assertTrue(e.getMessage().contains("features: no column 'nope'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new RnnForecaster().setTimeColumns("date")
                    .setFeatures("value").setTargets("value").setWindow(5).fit(rows));
            assertTrue(e.getMessage().contains("forecast.season (7) must be <= forecast.window (5)"), e.getMessage());
            // a value that is not a number stops the fit, naming the row
            RuntimeException bad = assertThrows(RuntimeException.class, () -> new RnnForecaster()
                    .setTimeColumns("date").setFeatures("value").setTargets("value").setWindow(7).setRounds(1)
                    .fit(rows));
            assertTrue(bad.getMessage().contains("Dataset columns date, value:1"), bad.getMessage());
        } finally {
            spark.stop();
        }
    }
}
