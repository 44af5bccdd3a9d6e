package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The export command's contract on model folders saved here without Spark: outputs written whole, never replaced
 * without --overwrite, bad folders and options refused with exit 2 and one line. The numbers of exported trained
 * models are checked in each task's end-to-end test ({@link ExportTesting}).
 */
class ExportCommandTest {
    @TempDir
    Path tmp;

    private Path tagger() throws Exception {
        Path dir = tmp.resolve("run/model");
        SequenceSpec spec = SequenceSpec.tagger(30, 8, 0, CellType.GRU, 10, 2, true, 0, 5);
        SequenceModel model = new SequenceModel(spec);
        ModelFiles.save(dir, model, model.initParams(3, DataType.FLOAT), null, 0, Map.of());
        Files.writeString(dir.resolve("config.conf"), "task = tag\n");
        Files.writeString(dir.resolve("vocab-tags.txt"), "\"NN\"\n\"VB\"\n\"AT\"\n\"IN\"\n\"JJ\"\n");
        return dir.getParent();
    }

    @Test
    void writesOnnxOnceAndReplacesItOnlyWithOverwrite() throws Exception {
        Path run = tagger();
        Path onnx = tmp.resolve("exports/tagger.onnx");
        Commands.Run r = TaskTesting.ok("export", run.toString(), "--format", "onnx", "--out", onnx.toString());
        assertTrue(r.out().contains("exported tag model") && r.out().contains(onnx.toString()), r.out());
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx.toString(),
                new OrtSession.SessionOptions())) {
            assertEquals(List.of("tokens", "lengths"), List.copyOf(s.getInputNames()));
            assertEquals(List.of("logits"), List.copyOf(s.getOutputNames()));
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("tag", meta.get("spark-rnn.task"));
            assertEquals(Files.readString(run.resolve("model/vocab-tags.txt")), meta.get("vocab-tags.txt"));
        }
        byte[] first = Files.readAllBytes(onnx);

        Files.writeString(onnx, "keep me");
        Commands.Run again = MainTest.run("export", run.toString(), "--format", "onnx", "--out", onnx.toString());
        assertOneLineError(again, "already exists", "--overwrite");
        assertEquals("keep me", Files.readString(onnx));

        TaskTesting.ok("export", run.toString(), "--format", "onnx", "--out", onnx.toString(), "--overwrite");
        assertArrayEquals(first, Files.readAllBytes(onnx));
        assertEquals(List.of("tagger.onnx"), names(onnx.getParent()));
    }

    @Test
    void writesAPytorchFolderAndReplacesItWhole() throws Exception {
        Path run = tagger();
        Path out = tmp.resolve("torch");
        TaskTesting.ok("export", run.toString(), "--format", "pytorch", "--out", out.toString());
        assertEquals(List.of("config.conf", "config.json", "model.json", "model.py", "model.safetensors",
                "vocab-tags.txt"), names(out));
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"task\" : \"tag\""));

        assertOneLineError(MainTest.run("export", run.toString(), "--format", "pytorch", "--out", out.toString()),
                "already exists");
        Files.writeString(out.resolve("stale.txt"), "from before");
        TaskTesting.ok("export", run.toString(), "--format", "pytorch", "--out", out.toString(), "--overwrite");
        assertFalse(Files.exists(out.resolve("stale.txt")));
        assertEquals(List.of("torch"), names(tmp).stream().filter(n -> n.contains("torch")).toList());
    }

    @Test
    void badModelFoldersAndOptionsExitTwoWithOneLine() throws Exception {
        Path out = tmp.resolve("x.onnx");
        assertOneLineError(MainTest.run("export", tmp.resolve("nothing").toString(), "--format", "onnx", "--out",
                out.toString()), "no model in", "model.json");

        Path run = tagger();
        Path weights = run.resolve("model/weights.safetensors");
        byte[] w = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(w, w.length / 2));
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx", "--out", out.toString()),
                "bad model folder", "weights.safetensors");
        assertFalse(Files.exists(out));

        Files.write(weights, w);
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "tflite", "--out", out.toString()),
                "--format expects onnx or pytorch", "found 'tflite'");
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx"), "needs --out");
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx", "--out", tmp.toString(),
                "--overwrite"), "is a folder");
        assertOneLineError(MainTest.run("export", run.toString(), "--fromat", "onnx"), "unknown option '--fromat'", "did you mean '--format'?");
        assertFalse(Files.exists(out));

        Commands.Run help = TaskTesting.ok("export", "--help");
        assertTrue(help.out().contains("export <model-dir> --format onnx|pytorch --out <path> [--overwrite]")
                && help.out().contains("examples:") && help.out().contains("decoder_step.onnx"), help.out());
    }

    /** An untrained g2p model folder: vocabularies with the default specials (pad 0, unk 1, bos 2, eos 3). */
    private Path seq2seq() throws Exception {
        Path dir = tmp.resolve("g2p/model");
        Seq2SeqModel model = new Seq2SeqModel(new Seq2SeqSpec(9, 7, 4, 4, CellType.LSTM, 5, 1, true, 6, 1, 0,
                Seq2SeqSpec.Attention.GENERAL, true, 0, 2, 3, 20, 2.0));
        ModelFiles.save(dir, model, model.initParams(1, DataType.FLOAT), null, 0, Map.of());
        Files.writeString(dir.resolve("config.conf"), "task = seq2seq\n");
        Files.writeString(dir.resolve(Seq2SeqTask.SOURCE), vocab("A", "B", "C", "D", "E"));
        Files.writeString(dir.resolve(Seq2SeqTask.TARGET), vocab("AH", "B", "K"));
        return dir.getParent();
    }

    private static String vocab(String... tokens) {
        StringBuilder sb = new StringBuilder("\"<pad>\"\n\"<unk>\"\n\"<bos>\"\n\"<eos>\"\n");
        for (String t : tokens) {
            sb.append('"').append(t).append("\"\n");
        }
        return sb.toString();
    }

    @Test
    void seq2seqExportsTwoGraphsOrATorchFolderAndReplacesThemOnlyWithOverwrite() throws Exception {
        Path run = seq2seq();
        Path onnx = tmp.resolve("exports/g2p-onnx");
        Commands.Run r = TaskTesting.ok("export", run.toString(), "--format", "onnx", "--out", onnx.toString());
        assertTrue(r.out().contains("exported seq2seq model") && r.out().contains(onnx.toString()), r.out());
        assertEquals(List.of("config.conf", "config.json", "decoder_step.onnx", "encoder.onnx", "model.json",
                "vocab-source.txt", "vocab-target.txt"), names(onnx));
        String config = Files.readString(onnx.resolve("config.json"));
        assertTrue(config.contains("\"unk_id\" : 1") && config.contains("\"bos_id\" : 2")
                && config.contains("\"task\" : \"seq2seq\""), config);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx.resolve("decoder_step.onnx").toString(),
                new OrtSession.SessionOptions())) {
            assertEquals(List.of("token", "h", "c", "feed", "memory", "source_lengths"), List.copyOf(s.getInputNames()));
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("seq2seq", meta.get("spark-rnn.task"));
            assertEquals("3", meta.get("spark-rnn.eos_id"));
            assertEquals(Files.readString(run.resolve("model/vocab-target.txt")), meta.get("vocab-target.txt"));
        }
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx", "--out", onnx.toString()),
                "already exists", "--overwrite");
        Files.writeString(onnx.resolve("stale.txt"), "from before");
        TaskTesting.ok("export", run.toString(), "--format", "onnx", "--out", onnx.toString(), "--overwrite");
        assertFalse(Files.exists(onnx.resolve("stale.txt")));
        assertEquals(List.of("g2p-onnx"), names(onnx.getParent()));

        Path torch = tmp.resolve("exports/g2p-torch");
        TaskTesting.ok("export", run.toString(), "--format", "pytorch", "--out", torch.toString());
        assertEquals(List.of("config.conf", "config.json", "model.json", "model.py", "model.safetensors",
                "vocab-source.txt", "vocab-target.txt"), names(torch));
        assertTrue(Files.readString(torch.resolve("config.json")).contains("\"model\" : \"seq2seq\""));
    }

    @Test
    void seq2seqExportRefusesAFileTargetAndMissingOrMismatchedVocabularies() throws Exception {
        Path run = seq2seq();
        Path file = tmp.resolve("g2p.onnx");
        Files.writeString(file, "keep me");
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx", "--out", file.toString(),
                "--overwrite"), "is a file", "encoder.onnx");
        assertEquals("keep me", Files.readString(file));

        Path out = tmp.resolve("g2p-out");
        Path target = run.resolve("model/" + Seq2SeqTask.TARGET);
        Files.writeString(target, vocab("AH"));
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "pytorch", "--out", out.toString()),
                "bad model folder", "vocab-target.txt has 5 tokens, expected 7");
        Files.delete(target);
        assertOneLineError(MainTest.run("export", run.toString(), "--format", "onnx", "--out", out.toString()),
                "bad model folder", "vocab-target.txt is missing");
        assertFalse(Files.exists(out));
    }

    private static void assertOneLineError(Commands.Run r, String... parts) {
        assertEquals(Main.BAD_CONFIG, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
