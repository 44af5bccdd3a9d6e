package io.sparkrnn.jobs;

import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.io.onnx.OnnxExport;
import io.sparkrnn.engine.io.onnx.OnnxGraph;
import io.sparkrnn.engine.io.pytorch.TorchExport;
import io.sparkrnn.engine.model.ModelSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code export <model-dir> --format onnx|pytorch --out <path> [--overwrite]}: a trained sequence model (lm, tag,
 * classify, forecast) as one ONNX file or a PyTorch folder. The output is written under a temporary name beside
 * {@code --out} and renamed when complete; an existing output is kept unless {@code --overwrite}.
 */
final class ExportCommand {
    static final String USAGE = """
            export <model-dir> --format onnx|pytorch --out <path> [--overwrite]

            onnx: one .onnx file (opset %d) computing the model's outputs from a zero state: inputs tokens (int64
            [batch, time]) or features (float [batch, time, F]), and lengths (int32 [batch], valid steps per row)
            for taggers and classifiers; output logits ([batch, time, C] for lm and tag, [batch, C] for classify)
            or values (forecast: [batch, outputs], normalised as in normalizer.json). The model's vocabularies,
            normalizer.json, model.json and config.conf are in the file's metadata_props under their file names.
            pytorch: a folder with model.safetensors (torch.nn names), config.json, model.py (the module and
            load(folder); needs torch only) and the model's task files.
            seq2seq (encoder-decoder) models are not exported yet.

            examples:
              bin/spark-rnn export out/brown-tagger --format onnx --out out/brown-tagger.onnx
              bin/spark-rnn export out/char-lm --format pytorch --out out/char-lm-torch
              python3 -c "import sys; sys.path.insert(0, 'out/char-lm-torch'); import model; print(model.load('out/char-lm-torch'))"
            """.formatted(OnnxGraph.OPSET);

    private final PrintStream out;

    ExportCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        Map<String, String> o = new ModelCommands(out).options(args, List.of("--format", "--out"),
                List.of("--overwrite"), USAGE);
        if (o == null) {
            return Main.OK;
        }
        String format = o.get("--format");
        if (format == null || !(format.equals("onnx") || format.equals("pytorch"))) {
            throw new ConfigException("export needs --format onnx or --format pytorch, found "
                    + (format == null ? "none" : "'" + format + "'"));
        }
        if (!o.containsKey("--out")) {
            throw new ConfigException("export needs --out <path>");
        }
        Path target = Path.of(o.get("--out")).toAbsolutePath().normalize();
        boolean overwrite = o.containsKey("--overwrite");
        if (Files.exists(target) && !overwrite) {
            throw new ConfigException("--out " + target + " already exists; choose another path or pass --overwrite");
        }
        if (format.equals("onnx") && Files.isDirectory(target)) {
            throw new ConfigException("--out " + target + " is a folder; --format onnx writes one file, e.g. model.onnx");
        }
        TrainedModel m = open(o.get(""));
        if (m.seq2seq() != null) {
            throw new ConfigException("export: not supported for seq2seq yet: " + m.dir() + " holds an "
                    + "encoder-decoder model, whose attention and decoding loop (greedy or beam search) have no ONNX "
                    + "or PyTorch form here; lm, tag, classify and forecast models export");
        }
        Map<String, String> files = taskFiles(m);
        try {
            Files.createDirectories(target.getParent());
            if (format.equals("onnx")) {
                writeOnnx(m, files, target);
            } else {
                writePytorch(m, files, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        out.println("exported " + m.task().name() + " model " + m.dir() + " as " + format + " to " + target);
        return Main.OK;
    }

    /** The model folder; a missing or unreadable file is a command-line error (exit 2) naming it. */
    private static TrainedModel open(String dir) {
        try {
            return TrainedModel.open(dir);
        } catch (InputException e) {
            throw new ConfigException("bad model folder: " + e.getMessage());
        }
    }

    /** model.json, config.conf, the vocabularies and the normaliser, by file name. */
    private static Map<String, String> taskFiles(TrainedModel m) {
        Map<String, String> files = new LinkedHashMap<>();
        try (var list = Files.list(m.dir())) {
            for (Path f : list.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(ModelFiles.MODEL_JSON) || name.equals("config.conf") || name.startsWith("vocab-")
                        || name.equals(ForecastTask.NORMALIZER)) {
                    files.put(name, Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new ConfigException("bad model folder: cannot read " + m.dir() + ": " + e.getMessage());
        }
        return files;
    }

    private static void writeOnnx(TrainedModel m, Map<String, String> files, Path target) throws IOException {
        ModelSpec spec = m.loaded().spec();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("spark-rnn.task", m.task().name());
        meta.putAll(files);
        String doc = "spark-rnn " + m.task().name() + " model: " + spec.cell().name().toLowerCase(Locale.ROOT)
                + " hidden " + spec.hiddenSize() + " x " + spec.numLayers() + (spec.bidirectional() ? " bidirectional" : "");
        byte[] bytes = OnnxExport.export(spec, m.loaded().params(), version(), doc, meta);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writePytorch(TrainedModel m, Map<String, String> files, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            TorchExport.write(tmp, m.loaded().spec(), m.loaded().params(), Map.of("task", m.task().name(),
                    "producer", "spark-rnn export " + version(), "files", String.join(",", files.keySet())));
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(tmp.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            if (Files.exists(target)) {
                Path old = target.resolveSibling("." + target.getFileName() + ".replaced-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private static String version() {
        String v = ExportCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
