package io.sparkrnn.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's output folder: {@code model/} (model.json, weights.safetensors, the task's files such as
 * vocabularies, config.conf),
 * {@code metrics.jsonl} and {@code eval.json}. Checked for writability before training starts; a previous
 * run's model is never replaced unless asked.
 */
final class OutputDir {
    private final Path path;

    private OutputDir(Path path) {
        this.path = path;
    }

    static OutputDir prepare(Path path, boolean overwrite) {
        recover(path);
        if (Files.exists(path.resolve("model")) && !overwrite) {
            throw new ConfigException("output.dir " + path + " already holds a trained model; choose another "
                    + "output.dir or set output.overwrite = true");
        }
        try {
            Files.createDirectories(path);
            Path probe = Files.createTempFile(path, ".write-check", ".tmp");
            Files.delete(probe);
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
    private static void recover(Path path) {
        if (!Files.isDirectory(path)) {
            return;
        }
        try (var list = Files.list(path)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".model-replaced-") && name.endsWith(".tmp")) {
                    if (Files.exists(path.resolve("model"))) {
                        deleteTree(p);
                    } else {
                        Files.move(p, path.resolve("model"), StandardCopyOption.ATOMIC_MOVE);
                    }
                } else if (name.startsWith(".model-") && name.endsWith(".tmp")) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new ConfigException("output.dir " + path + ": cannot clean up an interrupted model write: "
                    + e.getMessage());
        }
    }

    Path path() {
        return path;
    }

    /** Writes the model files into a folder. */
    interface ModelWriter {
        void write(Path dir, Map<String, String> provenance) throws IOException;
    }

    /**
     * Writes the model into {@code model/}: built beside it and renamed into place when complete; a model it
     * replaces is renamed away first and deleted last ({@link #recover} mends a kill in between).
     */
    void writeModel(ModelWriter model, Map<String, byte[]> files, String resolvedConfig) {
        Path target = path.resolve("model");
        Path tmp = path.resolve(".model-" + System.nanoTime() + ".tmp");
        try {
            Files.createDirectories(tmp);
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("producer", "spark-rnn train");
            model.write(tmp, provenance);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(tmp.resolve(f.getKey()), f.getValue());
            }
            Files.writeString(tmp.resolve("config.conf"), resolvedConfig, StandardCharsets.UTF_8);
            ModelManifest.write(tmp);
            if (Files.exists(target)) {
                Path old = path.resolve(".model-replaced-" + System.nanoTime() + ".tmp");
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + target, e);
        }
    }

    /** Writes {@code name} atomically (temporary file, then rename). */
    void writeJson(String name, String json) {
        Path target = path.resolve(name);
        try {
            Path tmp = Files.createTempFile(path, "." + name, ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
