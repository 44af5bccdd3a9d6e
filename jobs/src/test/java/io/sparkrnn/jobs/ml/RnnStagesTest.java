package io.sparkrnn.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.tagging.TaggingData;
import io.sparkrnn.driver.corpus.tagging.TaggingSettings;
import io.sparkrnn.driver.testutil.MiniHdfs;
import io.sparkrnn.jobs.Commands;
import io.sparkrnn.jobs.InputException;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages on {@code hdfs://} (an in-process MiniDFSCluster: the run's output.dir and the saved stage there, read
 * back) and their refusals of bad columns and bad rows, in local[2].
 */
class RnnStagesTest {
    @TempDir
    static File dfsBase;
    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static String root;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        hdfs = MiniHdfs.start(dfsBase);
        fs = hdfs.getFileSystem();
        root = MiniHdfs.uri(hdfs);
        spark = SparkSession.builder().master("local[2]").appName("RnnStagesTest").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static Dataset<Row> sentences(String file) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<TaggedSentence> s = TaggingData.read(sc, new TaggingSettings.Reading(0, 1, true, 0.0, false), "brown",
                Commands.repo("data/samples/brown").resolve(file).toString()).records().collect();
        List<Row> rows = new ArrayList<>();
        for (TaggedSentence t : s) {
            rows.add(RowFactory.create(t.tokens(), t.tags()));
        }
        return spark.createDataFrame(rows, new StructType().add("tokens", Columns.TOKENS).add("tags", Columns.TOKENS));
    }

    @Test
    void aTaggerTrainsIntoHdfsAndSavesAndLoadsThere() throws Exception {
        Dataset<Row> rows = sentences("ca01");
        String run = root + "/runs/tagger";
        RnnTaggingModel model = new RnnTagger().setHidden(16).setEmbedding(16).setRounds(2).setLocalSteps(3)
                .setEvalEvery(2).setOutputDir(run).fit(rows);
        // the run's output.dir on HDFS, kept as train keeps it
        for (String f : List.of("eval.json", "metrics.jsonl", "model/model.json", "model/MANIFEST.sha256")) {
            assertTrue(fs.exists(new Path(run + "/" + f)), run + "/" + f);
        }
        String saved = root + "/stages/tagger";
        model.write().save(saved);
        assertTrue(fs.exists(new Path(saved + "/metadata")));
        assertTrue(fs.exists(new Path(saved + "/model/weights.safetensors")));
        RnnTaggingModel loaded = RnnTaggingModel.load(saved);
        assertEquals(model.uid(), loaded.uid());
        assertEquals(Arrays.asList(model.tags()), Arrays.asList(loaded.tags()));
        List<Row> a = model.transform(rows).select("prediction").collectAsList();
        List<Row> b = loaded.transform(rows).select("prediction").collectAsList();
        assertEquals(a.size(), b.size());
        long words = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getList(0), b.get(i).getList(0), "sentence " + i);
            words += a.get(i).getList(0).size();
        }
        assertTrue(words > 1000, words + " words tagged");
    }

    @Test
    void badColumnsAreRefusedNamingTheColumn() {
        Dataset<Row> rows = sentences("ca01");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RnnTagger().setInputCol("words").fit(rows));
        assertTrue(e.getMessage().contains("inputCol: no column 'words'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RnnClassifier().setInputCol("tokens").setLabelCol("tags").fit(rows));
        assertTrue(e.getMessage().contains("labelCol: column 'tags' must be a string or a number, found "
                + "array<string>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RnnTagger().setPredictionCol("tags").fit(rows));
        assertTrue(e.getMessage().contains("predictionCol: column 'tags' already exists"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RnnClassifier().setInputCol("tokens").setTokens("char").transformSchema(rows.schema()));
        assertTrue(e.getMessage().contains("tokens = char needs a string inputCol"), e.getMessage());
    }

    @Test
    void rowsWithNullsBeyondMaxBadFractionStopTheFitNamingTheColumns() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(RowFactory.create(i % 4 == 0 ? null : "label" + (i % 2), "some text " + i));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("label", DataTypes.StringType)
                .add("text", DataTypes.StringType));
        InputException e = assertThrows(InputException.class,
                () -> new RnnClassifier().setMaxBadFraction(0.1).setRounds(1).fit(df));
        assertTrue(e.getMessage().contains("Dataset columns text, label"), e.getMessage());
        assertTrue(e.getMessage().contains("null value"), e.getMessage());
    }
}
