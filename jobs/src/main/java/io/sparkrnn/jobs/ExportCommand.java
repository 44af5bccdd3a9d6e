package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.pairs.Subwords;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.io.onnx.OnnxExport;
import io.sparkrnn.engine.io.onnx.OnnxGraph;
import io.sparkrnn.engine.io.onnx.OnnxSeq2SeqExport;
import io.sparkrnn.engine.io.pytorch.TorchExport;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export <model-dir> --format onnx|pytorch --out <path> [--overwrite]}: a trained sequence model (lm, tag,
 * classify, forecast) as one ONNX file or a PyTorch folder, an encoder-decoder model (seq2seq) as a folder of two
 * ONNX graphs (encoder, decoder step) or a PyTorch folder. The output is written under a temporary name beside
 * {@code --out} and renamed when complete; an existing output is kept unless {@code --overwrite}.
 */
@Command(name = "export", synopsisHeading = "usage: ",
        customSynopsis = "spark-rnn export <model-dir> --format onnx|pytorch --out <path> [--overwrite]",
        descriptionHeading = "%n", description = "onnx, lm/tag/classify/forecast: one .onnx file (opset "
                + OnnxGraph.OPSET + ") computing the model's outputs from a zero\n" + """
                state: inputs tokens (int64 [batch, time]) or features (float [batch, time, F]), and lengths (int32
                [batch], valid steps per row) for taggers and classifiers; output logits ([batch, time, C] for lm and
                tag, [batch, C] for classify) or values (forecast: [batch, outputs], normalised as in normalizer.json).
                The model's vocabularies, normalizer.json, model.json and config.conf are in the file's metadata_props
                under their file names.
                onnx, seq2seq: a folder with encoder.onnx (source int64 [batch, source_time], source_lengths int32
                [batch] -> memory [batch, source_time, width] and the decoder's initial state h, c (lstm), feed (input
                feeding)), decoder_step.onnx (token int64 [batch], the state, memory and source_lengths (attention) ->
                logits [batch, target_vocab], h_out, c_out, feed_out, attention), config.json (sizes, special ids,
                input and output names) and the model's files; run the decoder step from <bos> (bos_id) until <eos>.
                pytorch: a folder with model.safetensors (torch.nn names), config.json, model.py (the module and
                load(folder); needs torch only; seq2seq: net(source, lengths, target_in) gives teacher-forced logits,
                net.greedy(source, lengths) greedy outputs) and the model's task files.""",
        parameterListHeading = "%n", optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                examples:
                  bin/spark-rnn export out/brown-tagger --format onnx --out out/brown-tagger.onnx
                  bin/spark-rnn export out/cmudict-g2p --format onnx --out out/g2p-onnx
                  bin/spark-rnn export out/char-lm --format pytorch --out out/char-lm-torch
                  python3 -c "import sys; sys.path.insert(0, 'out/char-lm-torch'); import model; print(model.load('out/char-lm-torch'))\"""")
final class ExportCommand implements Callable<Integer> {
    /** What to export as. */
    enum Format { ONNX, PYTORCH }

    private final PrintStream out;

    @Parameters(index = "0", paramLabel = "<model-dir>", description = "a run's output.dir, or its model folder: "
            + "a local path or a URI (hdfs://...)")
    private String modelDir;
    @Option(names = "--format", required = true, paramLabel = "onnx|pytorch", description = "an ONNX file or folder, "
            + "or a PyTorch folder")
    private Format format;
    @Option(names = "--out", required = true, paramLabel = "<path>", description = "the file or folder to write: a "
            + "local path or a URI")
    private String outPath;
    @Option(names = "--overwrite", description = "replace an existing --out")
    private boolean overwrite;
    @Mixin
    private Cli.HelpOption help;

    ExportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Location target = Location.of(outPath, "--out");
        String shown = target.absolute();
        try {
            if (target.exists() && !overwrite) {
                throw new ConfigException("--out " + shown + " already exists; choose another path or pass "
                        + "--overwrite");
            }
        } catch (IOException e) {
            throw new ConfigException("--out " + shown + ": " + e.getMessage());
        }
        TrainedModel m = open(modelDir);
        Export export = m.loaded().spec().match(s -> sequence(m, s, format, target),
                s -> seq2seq(m, s, format, target));
        try {
            target.parent().mkdirs();
            export.writeTo(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + shown + ": " + e.getMessage(), e);
        }
        out.println("exported " + m.task().name() + " model " + m.dir() + " as "
                + format.name().toLowerCase(Locale.ROOT) + " to " + shown);
        return Main.OK;
    }

    /** What is written at {@code --out}, once the target's kind (file or folder) is checked. */
    private interface Export {
        void writeTo(Location target) throws IOException;
    }

    /** A sequence model's export: one ONNX file, or a PyTorch folder. */
    private static Export sequence(TrainedModel m, SequenceSpec spec, Format format, Location target) {
        if (format == Format.ONNX && isFolder(target)) {
            throw new ConfigException("--out " + target.absolute() + " is a folder; --format onnx writes one file, "
                    + "e.g. model.onnx");
        }
        Map<String, String> files = taskFiles(m);
        FlatParams params = m.loaded().params();
        return format == Format.ONNX ? t -> writeOnnx(m, spec, files, t)
                : t -> writeFolder(t, files, dir -> TorchExport.write(dir, spec, params, extra(m, files)));
    }

    /** An encoder-decoder model's export: a folder of two ONNX graphs, or a PyTorch folder. */
    private static Export seq2seq(TrainedModel m, Seq2SeqSpec spec, Format format, Location target) {
        if (isFile(target)) {
            throw new ConfigException("--out " + target.absolute() + " is a file; a seq2seq model exports as a folder ("
                    + (format == Format.ONNX ? OnnxSeq2SeqExport.ENCODER + ", " + OnnxSeq2SeqExport.DECODER
                    : TorchExport.MODULE + ", " + TorchExport.WEIGHTS) + ", config.json)");
        }
        Map<String, String> files = taskFiles(m);
        FlatParams params = m.loaded().params();
        return t -> {
            int unk = unkId(m, spec, files);
            writeFolder(t, files, dir -> {
                if (format == Format.ONNX) {
                    OnnxSeq2SeqExport.write(dir, spec, params, unk, version(), doc(spec), metadata(m, files),
                            extra(m, files));
                } else {
                    TorchExport.write(dir, spec, params, unk, extra(m, files));
                }
            });
        };
    }

    /** The model folder; a missing or unreadable file is a command-line error (exit 2) naming it. */
    private static TrainedModel open(String dir) {
        try {
            return TrainedModel.open(dir);
        } catch (InputException e) {
            throw new ConfigException("bad model folder: " + e.getMessage());
        }
    }

    /** model.json, config.conf, the vocabularies, byte-pair-encoding merges and the normaliser, by file name. */
    private static Map<String, String> taskFiles(TrainedModel m) {
        Map<String, String> files = new LinkedHashMap<>();
        try {
            for (String name : m.dir().list(true)) {
                if (name.equals(ModelFiles.MODEL_JSON) || name.equals("config.conf") || name.startsWith("vocab-")
                        || name.equals(Subwords.SOURCE) || name.equals(Subwords.TARGET)
                        || name.equals(Bpe.INPUT_FILE)
                        || name.equals(ForecastTask.NORMALIZER)) {
                    files.put(name, m.dir().resolve(name).readString());
                }
            }
        } catch (IOException e) {
            throw new ConfigException("bad model folder: cannot read " + m.dir() + ": " + e.getMessage());
        }
        return files;
    }

    private static Map<String, String> metadata(TrainedModel m, Map<String, String> files) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("spark-rnn.task", m.task().name());
        meta.putAll(files);
        return meta;
    }

    private static Map<String, String> extra(TrainedModel m, Map<String, String> files) {
        return Map.of("task", m.task().name(), "producer", "spark-rnn export " + version(), "files",
                String.join(",", files.keySet()));
    }

    private static void writeOnnx(TrainedModel m, SequenceSpec spec, Map<String, String> files, Location target)
            throws IOException {
        String doc = "spark-rnn " + m.task().name() + " model: " + spec.cell().name().toLowerCase(Locale.ROOT)
                + " hidden " + spec.hiddenSize() + " x " + spec.numLayers() + (spec.bidirectional() ? " bidirectional" : "");
        byte[] bytes = OnnxExport.export(spec, m.loaded().params(), version(), doc, metadata(m, files));
        target.write(out -> out.write(bytes));
    }

    private static boolean isFolder(Location l) {
        try {
            return l.isFolder();
        } catch (IOException e) {
            throw new ConfigException("--out " + l + ": " + e.getMessage());
        }
    }

    private static boolean isFile(Location l) {
        try {
            return l.isFile();
        } catch (IOException e) {
            throw new ConfigException("--out " + l + ": " + e.getMessage());
        }
    }

    private static String doc(Seq2SeqSpec spec) {
        return "spark-rnn seq2seq model: " + spec.cell().name().toLowerCase(Locale.ROOT) + " encoder "
                + spec.encoderHidden() + " x " + spec.encoderLayers() + (spec.bidirectional() ? " bidirectional" : "")
                + ", decoder " + spec.decoderHidden() + " x " + spec.decoderLayers() + ", attention "
                + spec.attention().name().toLowerCase(Locale.ROOT) + (spec.inputFeeding() ? ", input feeding" : "");
    }

    /**
     * The source vocabulary's {@code <unk>} id (-1 when it has none), after checking that both vocabularies are
     * there and as large as the model's embeddings.
     */
    private static int unkId(TrainedModel m, Seq2SeqSpec spec, Map<String, String> files) {
        Vocabulary src = vocabulary(m, files, Seq2SeqTask.SOURCE, spec.sourceVocab());
        vocabulary(m, files, Seq2SeqTask.TARGET, spec.targetVocab());
        return src.tokens().indexOf(Vocabulary.UNK);
    }

    private static Vocabulary vocabulary(TrainedModel m, Map<String, String> files, String name, int size) {
        Location f = m.dir().resolve(name);
        if (!files.containsKey(name)) {
            throw new ConfigException("bad model folder: " + f + " is missing; a seq2seq model needs its vocabulary");
        }
        Vocabulary v;
        try {
            v = Vocabulary.fromText(files.get(name), f.toString());
        } catch (RuntimeException e) {
            throw new ConfigException("bad model folder: " + e.getMessage());
        }
        if (v.size() != size) {
            throw new ConfigException("bad model folder: " + f + " has " + v.size() + " tokens, expected " + size
                    + " (the model's vocabulary size)");
        }
        return v;
    }

    /** Writes a folder's files, beside {@code target}. */
    private interface FolderWriter {
        void write(Path dir) throws IOException;
    }

    /**
     * Writes the folder under a temporary name beside {@code target} (the exporter's files, then the model's task
     * files), then renames it into place; an existing {@code target} is moved aside first and deleted last. The
     * exporters write local files, so a folder for another file system is built in a local temporary folder and
     * copied into the temporary one beside {@code target}.
     */
    private static void writeFolder(Location target, Map<String, String> files, FolderWriter writer)
            throws IOException {
        Location tmp = target.parent().resolve("." + target.name() + ".tmp-" + System.nanoTime());
        Path local = target.isLocal() ? Path.of(tmp.path().toUri()) : Files.createTempDirectory("spark-rnn-export");
        try {
            Files.createDirectories(local);
            writer.write(local);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(local.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            if (!target.isLocal()) {
                tmp.mkdirs();
                try (var list = Files.list(local)) {
                    for (Path f : list.sorted().toList()) {
                        tmp.resolve(f.getFileName().toString()).write(out -> Files.copy(f, out));
                    }
                }
            }
            if (target.exists()) {
                Location old = target.parent().resolve("." + target.name() + ".replaced-" + System.nanoTime());
                target.renameTo(old);
                tmp.renameTo(target);
                old.delete();
            } else {
                tmp.renameTo(target);
            }
        } finally {
            if (Files.exists(local)) {
                deleteTree(local);
            }
            tmp.delete();
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
