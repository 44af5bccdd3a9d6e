package io.sparkrnn.jobs.ml;

import io.sparkrnn.driver.task.LocalModel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The stages' column checks (an {@link IllegalArgumentException} naming the column) and cell readers. */
final class Columns {
    static final DataType TOKENS = DataTypes.createArrayType(DataTypes.StringType);

    private Columns() {
    }

    /** The type of column {@code name}, which must be one of {@code allowed}. */
    static DataType require(StructType schema, String param, String name, List<DataType> allowed) {
        DataType t = present(schema, param, name);
        for (DataType a : allowed) {
            if (sameType(a, t)) {
                return t;
            }
        }
        StringBuilder want = new StringBuilder();
        for (DataType a : allowed) {
            want.append(want.length() == 0 ? "" : " or ").append(a.simpleString());
        }
        throw new IllegalArgumentException(param + ": column '" + name + "' must be " + want + ", found "
                + t.simpleString());
    }

    /** The type of column {@code name}, which must exist. */
    static DataType present(StructType schema, String param, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(param + ": no column '" + name + "' in " + schema.simpleString());
        }
        return schema.apply(name).dataType();
    }

    /** A column of numbers: a number, or a string holding one. */
    static void requireNumber(StructType schema, String param, String name) {
        DataType t = present(schema, param, name);
        if (!t.equals(DataTypes.StringType) && !(t instanceof NumericType)) {
            throw new IllegalArgumentException(param + ": column '" + name + "' must be a number (or a string "
                    + "holding one), found " + t.simpleString());
        }
    }

    /** A label column: a string, or a number taken as its text. */
    static void requireLabel(StructType schema, String param, String name) {
        DataType t = present(schema, param, name);
        if (!t.equals(DataTypes.StringType) && !(t instanceof NumericType)) {
            throw new IllegalArgumentException(param + ": column '" + name + "' must be a string or a number, "
                    + "found " + t.simpleString());
        }
    }

    /** {@code schema} with the output column {@code name} added; it must not exist yet. */
    static StructType add(StructType schema, String param, String name, DataType type) {
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(param + ": column '" + name + "' already exists");
        }
        return schema.add(new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    /** Whether an array type holds strings (nullable or not). */
    private static boolean sameType(DataType a, DataType t) {
        if (a instanceof ArrayType x && t instanceof ArrayType y) {
            return x.elementType().equals(y.elementType());
        }
        return a.equals(t);
    }

    static boolean isTokens(DataType t) {
        return t instanceof ArrayType;
    }

    /** A cell of strings (array<string>), or null. */
    static String[] tokens(Row r, int i) {
        if (r.isNullAt(i)) {
            return null;
        }
        List<String> l = r.getList(i);
        return l.toArray(new String[0]);
    }

    /**
     * The text of an input cell: a string, or the tokens of an array<string> joined by spaces (read back as
     * whitespace-separated words, as {@code predict} reads a text); null for null.
     */
    static String text(Row r, int i, boolean tokens) {
        if (r.isNullAt(i)) {
            return null;
        }
        return tokens ? String.join(" ", r.<String>getList(i)) : r.getString(i);
    }

    /** The rows of a partition through {@code f} batch by batch, lazily (one batch in memory at a time). */
    static Iterator<Row> perBatch(Iterator<Row> rows, int batch, Function<List<Row>, List<Row>> f) {
        return StreamSupport.stream(LocalModel.chunks(rows, batch).spliterator(), false)
                .flatMap(chunk -> f.apply(chunk).stream()).iterator();
    }

    /**
     * The rows of {@code dataset} in its order as a corpus reader reads a Parquet file's
     * ({@code ParquetInput.frame}): {@code source} as the file, the 0-based row index, then {@code columns}; a bad
     * row is named {@code source:row} (1-based).
     */
    static Dataset<Row> framed(Dataset<?> dataset, String source, List<String> columns) {
        return framed(dataset.toDF().javaRDD().zipWithIndex(), dataset.schema(), dataset.sparkSession(), source,
                columns);
    }

    /** As {@link #framed(Dataset, String, List)}, on rows of {@code schema} already numbered in their order. */
    static Dataset<Row> framed(JavaPairRDD<Row, Long> numbered, StructType schema, SparkSession spark, String source,
            List<String> columns) {
        StructType out = new StructType().add("file", DataTypes.StringType, false)
                .add("row", DataTypes.LongType, false);
        int[] at = new int[columns.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = schema.fieldIndex(columns.get(i));
            out = out.add(schema.apply(columns.get(i)));
        }
        JavaRDD<Row> rows = numbered.map(t -> {
            Object[] v = new Object[2 + at.length];
            v[0] = source;
            v[1] = t._2();
            for (int i = 0; i < at.length; i++) {
                v[2 + i] = t._1().get(at[i]);
            }
            return RowFactory.create(v);
        });
        return spark.createDataFrame(rows, out);
    }

    /** A row with {@code values} appended. */
    static Row append(Row r, Object... values) {
        Object[] v = new Object[r.length() + values.length];
        for (int i = 0; i < r.length(); i++) {
            v[i] = r.get(i);
        }
        System.arraycopy(values, 0, v, r.length(), values.length);
        return RowFactory.create(v);
    }
}
