package io.sparkrnn.driver.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A local[2] Spark context per test class, the paths of the shipped samples and broken files, and Parquet files
 * written from rows.
 */
public abstract class SparkCorpusTest {
    /** The Brown sample's 25 text files (not its README, SOURCE.md or cats.txt). */
    protected static final String BROWN = sample("brown") + "/c[a-r][0-9][0-9]";
    /** The SpamAssassin sample's folders and their labels. */
    protected static final Map<String, String> SPAM_FOLDERS = Map.of("easy-ham-1", "ham", "easy-ham-2", "ham",
            "hard-ham-1", "ham", "spam-1", "spam", "spam-2", "spam");
    /** Two string columns, {@code a} and {@code b}. */
    protected static final StructType STRINGS2 = new StructType().add("a", DataTypes.StringType)
            .add("b", DataTypes.StringType);
    protected static JavaSparkContext sc;

    @BeforeAll
    protected static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("corpus-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("WARN");
    }

    @AfterAll
    protected static void stop() {
        sc.stop();
    }

    /** {@code data/samples/<rel>} from the repository root (tests run in the driver module). */
    public static String sample(String rel) {
        Path p = Path.of("..", "data", "samples").resolve(rel).toAbsolutePath().normalize();
        return p.toString();
    }

    /** A hand-made broken file under {@code src/test/resources/corpus}. */
    protected static String broken(String name) {
        Path p = Path.of("src", "test", "resources", "corpus", name).toAbsolutePath();
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing test file " + p);
        }
        return p.toString();
    }

    protected static SparkSession spark() {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    /** Writes {@code rows} in order as {@code files} Parquet files (part-00000 ... in row order) under dir/parquet. */
    protected static String writeParquet(Path dir, List<Row> rows, StructType schema, int files) {
        String out = dir.resolve("parquet").toString();
        spark().createDataFrame(sc.parallelize(rows, files), schema).write().parquet(out);
        return out;
    }
}
