package io.sparkrnn.jobs.ml;

import io.sparkrnn.jobs.ModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * How a fitted stage is saved: Spark's own params metadata ({@code <path>/metadata}, as
 * {@code DefaultParamsWritable} writes it) and the model folder in {@code <path>/model} (the files a training run
 * writes: model.json, weights.safetensors, the vocabularies, config.conf, MANIFEST.sha256), which
 * {@code bin/spark-rnn predict} also reads. Paths go through Hadoop's file systems, resolved as Spark resolves the
 * metadata's (a path without a scheme is on the session's default file system).
 */
final class ModelIO {
    /** The model folder under a stage's path. */
    static final String MODEL = "model";

    private ModelIO() {
    }

    /** {@code <path>/model}, qualified with the session's default file system. */
    static String modelFolder(String path, Configuration conf) {
        Path p = new Path(path, MODEL);
        try {
            return p.getFileSystem(conf).makeQualified(p).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p, e);
        }
    }

    /** Writes a model stage: metadata, then its folder. */
    static final class Writer extends MLWriter {
        private final Params stage;
        private final ModelFolder folder;

        Writer(Params stage, ModelFolder folder) {
            this.stage = stage;
            this.folder = folder;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(stage, path, sc(), Option.empty(), Option.empty());
            folder.write(modelFolder(path, sc().hadoopConfiguration()));
        }
    }

    /** Reads a model stage of class {@code type}, made by {@code make} from its uid and folder. */
    static final class Reader<M extends Params> extends MLReader<M> {
        private final Class<M> type;
        private final BiFunction<String, ModelFolder, M> make;

        Reader(Class<M> type, BiFunction<String, ModelFolder, M> make) {
            this.type = type;
            this.make = make;
        }

        @Override
        public M load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(), type.getName());
            M m = make.apply(metadata.uid(), ModelFolder.read(modelFolder(path, sc().hadoopConfiguration())));
            metadata.getAndSetParams(m, Option.empty());
            return m;
        }
    }
}
