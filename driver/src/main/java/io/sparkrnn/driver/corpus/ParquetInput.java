package io.sparkrnn.driver.corpus;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parquet input with named columns, read through Spark SQL. Every row is read with its file and its 0-based
 * index in the file (Spark's {@code _metadata.file_path} and {@code _metadata.row_index}); a bad row is reported
 * as {@code file:row} with the row counted from 1. A missing column or one of an unusable type is a
 * {@link CorpusException} before any record is read. What every task's Parquet reader shares
 * ({@code TaggingReader.parquet}, {@code PairReader.parquet}, {@code ClassificationReader.parquet},
 * {@code ForecastReader.readParquet}, {@code LmTextReader.readParquet}).
 */
public final class ParquetInput {
    static final String FILE = "__file";
    static final String ROW = "__row";

    private ParquetInput() {
    }

    /** The Parquet files at {@code path} with file, row and {@code columns} selected (in that order). */
    public static Dataset<Row> frame(JavaSparkContext sc, String path, List<String> columns) {
        Inputs.require(sc, path);
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) { // Scala throws AnalysisException (checked in Java) undeclared
            throw new CorpusException("cannot read Parquet " + path + ": " + e.getMessage(), e);
        }
        List<String> names = Arrays.asList(df.schema().fieldNames());
        for (String c : columns) {
            if (!names.contains(c)) {
                throw new CorpusException("Parquet " + path + " has no column '" + c + "'; its columns are " + names);
            }
        }
        List<Column> sel = new ArrayList<>();
        sel.add(functions.col("_metadata.file_path").as(FILE));
        sel.add(functions.col("_metadata.row_index").as(ROW));
        for (String c : columns) {
            sel.add(functions.col(c));
        }
        return df.select(sel.toArray(new Column[0]));
    }

    /** The type of {@code column} (0 = first selected column after file and row). */
    public static DataType type(Dataset<Row> df, int column) {
        StructType s = df.schema();
        return s.fields()[column + 2].dataType();
    }

    /** Fails unless {@code column} is a string, or an array of strings when {@code arrays}. */
    public static void requireText(Dataset<Row> df, int column, boolean arrays, String path) {
        StructField f = df.schema().fields()[column + 2];
        DataType t = f.dataType();
        boolean ok = t.equals(DataTypes.StringType) || arrays && t instanceof ArrayType a
                && a.elementType().equals(DataTypes.StringType);
        if (!ok) {
            throw new CorpusException("Parquet " + path + ": column '" + f.name() + "' must be a string"
                    + (arrays ? " or an array of strings" : "") + ", found " + t.simpleString());
        }
    }

    /** The rows of one text column in corpus order: files by path, then row. */
    public static JavaRDD<Row> ordered(JavaSparkContext sc, String path, String column) {
        Dataset<Row> df = frame(sc, path, List.of(column));
        requireText(df, 0, false, path);
        return df.orderBy(FILE, ROW).javaRDD();
    }

    /**
     * The tokens of column {@code i} of a row: an array of strings as is, a string cut by {@code split}; null
     * when the value or an element is null.
     */
    public static String[] tokens(Row r, int i, TokenUnit split) {
        int at = i + 2;
        if (r.isNullAt(at)) {
            return null;
        }
        Object v = r.get(at);
        if (v instanceof String s) {
            return split.split(s);
        }
        List<Object> list = r.getList(at);
        String[] out = new String[list.size()];
        for (int k = 0; k < out.length; k++) {
            if (list.get(k) == null) {
                return null;
            }
            out[k] = (String) list.get(k);
        }
        return out;
    }

    public static String file(Row r) {
        return r.getString(0);
    }

    /** 1-based row within the file. */
    public static long row(Row r) {
        return r.getLong(1) + 1;
    }

    public static <T> Iterator<T> none() {
        return Collections.emptyIterator();
    }
}
