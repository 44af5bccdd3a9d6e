package io.sparkrnn.jobs;

import io.sparkrnn.engine.io.Folder;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A run's output folder, on any Hadoop file system ({@link Location}): {@code model/} (model.json,
 * weights.safetensors, the task's files such as vocabularies, config.conf, the round loop's training state, a warm
 * start's parent.json, MANIFEST.sha256),
 * {@code checkpoints/}, {@code metrics.jsonl}, {@code eval.json} and {@code report.html}. Checked for writability
 * before training starts; a previous run's model is never replaced unless asked.
 */
final class OutputDir {
    private final Location path;

    private OutputDir(Location path) {
        this.path = path;
    }

    static OutputDir prepare(Location path, boolean overwrite) {
        try {
            recover(path);
            if (path.resolve("model").exists() && !overwrite) {
                throw new ConfigException("output.dir " + path + " already holds a trained model; choose another "
                        + "output.dir or set output.overwrite = true");
            }
        } catch (IOException e) {
            throw new ConfigException("output.dir " + path + ": cannot read it: " + e.getMessage());
        }
        try {
            path.mkdirs();
            Location probe = path.resolve(".write-check-" + UUID.randomUUID() + ".tmp");
            probe.writeString("");
            probe.delete();
        } catch (IOException e) {
            throw new ConfigException("output.dir " + path + " is not writable: " + e.getMessage());
        }
        return new OutputDir(path);
    }

    /**
     * Mends what a run killed inside {@link #writeModel} left behind: a model being built ({@code .model-*.tmp})
     * is incomplete and deleted; a replaced model ({@code .model-replaced-*.tmp}) is complete, and goes back to
     * {@code model/} when the kill came between the two renames (no {@code model/}), else it is deleted.
     */
    private static void recover(Location path) {
        try {
            if (!path.isFolder()) {
                return;
            }
            Location model = path.resolve("model");
            for (String name : path.list(false)) {
                Location p = path.resolve(name);
                if (name.startsWith(".model-replaced-") && name.endsWith(".tmp")) {
                    if (model.exists()) {
                        p.delete();
                    } else {
                        p.renameTo(model);
                    }
                } else if (name.startsWith(".model-") && name.endsWith(".tmp")) {
                    p.delete();
                }
            }
        } catch (IOException e) {
            throw new ConfigException("output.dir " + path + ": cannot clean up an interrupted model write: "
                    + e.getMessage());
        }
    }

    Location path() {
        return path;
    }

    /** Writes the model files into a folder. */
    interface ModelWriter {
        void write(Folder dir, Map<String, String> provenance) throws IOException;
    }

    /**
     * Writes the model into {@code model/}: built beside it, checked against its manifest and renamed into place
     * when complete; a model it replaces is renamed away first and deleted last ({@link #recover} mends a kill in
     * between). Renames, not copies, so the steps are the same on a local disk and on HDFS, whose renames do not
     * overwrite.
     */
    void writeModel(ModelWriter model, Map<String, byte[]> files, String resolvedConfig) {
        Location target = path.resolve("model");
        Location tmp = path.resolve(".model-" + System.nanoTime() + ".tmp");
        try {
            tmp.mkdirs();
            Folder dir = tmp.folder();
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("producer", "spark-rnn train");
            model.write(dir, provenance);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                dir.write(f.getKey(), out -> out.write(f.getValue()));
            }
            tmp.resolve("config.conf").writeString(resolvedConfig);
            ModelManifest.write(tmp);
            ModelManifest.verify(tmp);
            if (target.exists()) {
                Location old = path.resolve(".model-replaced-" + System.nanoTime() + ".tmp");
                target.renameTo(old);
                tmp.renameTo(target);
                old.delete();
            } else {
                tmp.renameTo(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + target, e);
        }
    }

    /** Writes {@code name} atomically (temporary file, then rename). */
    void writeJson(String name, String json) {
        Location target = path.resolve(name);
        try {
            target.writeString(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
