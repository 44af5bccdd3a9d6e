package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The seeded train/validation/test split a fresh seq2seq training run trains on ({@link Seq2SeqData#split}: the
 * same code, on data.train as the config reads it), written as text for a program outside this one (the PyTorch
 * reference of {@code bench seq2seq}): {@link #TRAIN}, {@link #VALIDATION} and {@link #TEST}, one pair a line,
 * {@code source<TAB>target}, each side's tokens as read (13a words lower-cased when the config says so) joined with
 * a space (characters without); pairs whose source is longer than {@code data.max-source-length} are left out, as
 * training leaves them out. A warm start's vocabularies and byte-pair merges are not applied: the split of a
 * fresh run.
 */
public final class Seq2SeqSplit {
    public static final String TRAIN = "train.tsv";
    public static final String VALIDATION = "validation.tsv";
    public static final String TEST = "test.tsv";

    /** How many pairs each part holds, and how many were skipped as too long. */
    public record Counts(long train, long validation, long test, long tooLong) {
    }

    private Seq2SeqSplit() {
    }

    /**
     * Writes the three parts of {@code job}'s split into the folder {@code dir} (made when missing), on a Spark
     * context of {@code job}'s {@code spark.master}; a job that is not seq2seq is a {@link ConfigException}.
     */
    public static Counts write(JobSettings job, Location dir) {
        if (!job.task().equals("seq2seq")) {
            throw new ConfigException("task = " + job.task() + ": only a seq2seq job's pairs are split this way");
        }
        SparkConf conf = new SparkConf().setAppName("spark-rnn seq2seq split").setIfMissing("spark.master",
                job.master());
        try (JavaSparkContext sc = SparkContexts.open(conf, "spark.master")) {
            sc.setLogLevel("WARN");
            Seq2SeqData.Split split = Seq2SeqTask.split(sc, job);
            String format = job.data().format();
            String srcJoin = Seq2SeqTask.joiner(job.seq2seq().sourceTokens(), true, format);
            String tgtJoin = Seq2SeqTask.joiner(job.seq2seq().targetTokens(), false, format);
            dir.mkdirs();
            long train = write(split.train(), dir.resolve(TRAIN), srcJoin, tgtJoin);
            long valid = write(split.validation(), dir.resolve(VALIDATION), srcJoin, tgtJoin);
            long test = write(split.test(), dir.resolve(TEST), srcJoin, tgtJoin);
            return new Counts(train, valid, test, split.tooLong());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the split into " + dir, e);
        }
    }

    /** The pairs' lines in the RDD's order; returns how many. */
    private static long write(JavaRDD<TextPair> pairs, Location file, String srcJoin, String tgtJoin)
            throws IOException {
        List<String> lines = pairs.map(p -> String.join(srcJoin, p.source()) + "\t" + String.join(tgtJoin,
                p.target())).collect();
        file.write(out -> {
            for (String l : lines) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        return lines.size();
    }
}
