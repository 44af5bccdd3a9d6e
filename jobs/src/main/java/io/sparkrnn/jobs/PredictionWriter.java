package io.sparkrnn.jobs;

import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes prediction rows as TSV part files (no header; the columns are listed in {@code _columns.tsv}) or
 * Parquet, into a temporary folder beside the output that is renamed into place when the job succeeded, so an
 * output folder is never half-written. An existing output is refused before any work unless overwriting.
 */
final class PredictionWriter {
    /** A column: its name and type (string, long or double). */
    record Column(String name, Class<?> type) {
    }

    /** The file format of the predictions. */
    enum Format { TSV, PARQUET }

    private final Location output;
    private final Format format;
    private final boolean overwrite;
    private final String inputFormat;

    /** {@code inputFormat}: how to read the input when not as the model's training data, or null. */
    PredictionWriter(String output, Format format, boolean overwrite, String inputFormat) {
        this.inputFormat = inputFormat;
        this.output = Location.of(output, "--output");
        this.format = format;
        this.overwrite = overwrite;
        try {
            if (this.output.exists() && !overwrite) {
                throw new ConfigException("--output " + output + " already exists; choose another or add --overwrite");
            }
        } catch (IOException e) {
            throw new ConfigException("--output " + output + ": " + e.getMessage());
        }
    }

    String inputFormat() {
        return inputFormat;
    }

    Location output() {
        return output;
    }

    /** Writes {@code rows} (values in column order); returns their number. */
    long write(JavaSparkContext sc, List<Column> columns, JavaRDD<Object[]> rows) {
        Path target = output.path();
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        long n;
        try {
            FileSystem fs = output.fs();
            JavaRDD<Object[]> kept = rows.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK_SER());
            n = kept.count();
            if (format == Format.TSV) {
                kept.map(PredictionWriter::tsv).saveAsTextFile(tmp.toString());
                StringBuilder header = new StringBuilder();
                for (Column c : columns) {
                    header.append(header.length() == 0 ? "" : "\t").append(c.name());
                }
                try (var o = fs.create(new Path(tmp, "_columns.tsv"), false)) {
                    o.write((header + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            } else {
                StructField[] fields = new StructField[columns.size()];
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = DataTypes.createStructField(columns.get(i).name(), sqlType(columns.get(i).type()), false);
                }
                SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                JavaRDD<Row> r = kept.map(RowFactory::create);
                spark.createDataFrame(r, new StructType(fields)).write().parquet(tmp.toString());
            }
            kept.unpersist(false);
            if (fs.exists(target)) {
                if (!overwrite) {
                    fs.delete(tmp, true);
                    throw new ConfigException("--output " + output + " appeared while predicting; nothing replaced");
                }
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename of " + tmp + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write predictions to " + output + ": " + e.getMessage(), e);
        }
        return n;
    }

    private static String tsv(Object[] row) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            // a TAB or line break inside a value would break the row: replaced by a space
            sb.append(String.valueOf(row[i]).replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
        }
        return sb.toString();
    }

    private static DataType sqlType(Class<?> c) {
        if (c == Long.class) {
            return DataTypes.LongType;
        }
        if (c == Double.class) {
            return DataTypes.DoubleType;
        }
        return DataTypes.StringType;
    }
}
