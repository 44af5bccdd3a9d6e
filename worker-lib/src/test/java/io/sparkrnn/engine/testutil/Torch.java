package io.sparkrnn.engine.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sparkrnn.engine.io.pytorch.PythonTorch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * PyTorch for the tests that run exported model folders ({@code model.py}, {@code model.load(folder)}) against the
 * engine. The interpreter is {@link PythonTorch#find()}'s (env {@code SPARK_RNN_PYTHON}, else python3 on PATH, else
 * {@code /usr/bin/python3}); where none imports torch, {@link #assumeAvailable()} aborts the test, which JUnit
 * reports as skipped, never as passed.
 */
public final class Torch {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Torch() {
    }

    /** Aborts the calling test (reported as skipped) unless an interpreter {@link PythonTorch} finds imports torch. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(PythonTorch.find().isPresent(), () -> "torch comparison skipped: none of "
                + PythonTorch.candidates() + " can import torch (set SPARK_RNN_PYTHON to an interpreter that can)");
    }

    /** Aborts the calling test (reported as skipped) unless {@code python -c "import torch"} succeeds. */
    public static void assumeAvailable(String python) {
        Assumptions.assumeTrue(PythonTorch.imports(python), () -> "torch comparison skipped: " + python
                + " cannot import torch (set SPARK_RNN_PYTHON to an interpreter that can)");
    }

    /**
     * Each folder's {@code model.load()} on one input, {@code {"tokens" [B][T] or "features" [B][T][F], "lengths"
     * [B] (optional)}}, in one python process; returns one output per folder as nested lists ({@code [B][T][C]}
     * aligned, {@code [B][C]} pooled).
     */
    public static JsonNode forward(List<Path> dirs, Map<String, Object> input, Path tmp) throws Exception {
        return run(dirs, input, tmp.resolve("torch-input.json"),
                "x = torch.tensor(inp['tokens'] if 'tokens' in inp else inp['features'])",
                "lengths = torch.tensor(inp['lengths']) if 'lengths' in inp else None",
                "out = lambda net: net(x, lengths).tolist()");
    }

    /**
     * Each folder's encoder-decoder on the pairs, in one python process: per folder {@code {"logits": net(source,
     * lengths, target_in) [B][T+1][V], "greedy": net.greedy(source, lengths)}}, target_in = bos then the target.
     */
    public static JsonNode seq2seq(List<Path> dirs, List<int[]> src, List<int[]> tgt, int bos, Path tmp)
            throws Exception {
        int b = src.size();
        long[][] source = new long[b][src.stream().mapToInt(x -> x.length).max().orElseThrow()];
        long[][] targetIn = new long[b][tgt.stream().mapToInt(y -> y.length + 1).max().orElseThrow()];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            lengths[r] = src.get(r).length;
            for (int j = 0; j < lengths[r]; j++) {
                source[r][j] = src.get(r)[j];
            }
            targetIn[r][0] = bos;
            for (int j = 0; j < tgt.get(r).length; j++) {
                targetIn[r][j + 1] = tgt.get(r)[j];
            }
        }
        return run(dirs, Map.of("source", source, "lengths", lengths, "target_in", targetIn),
                tmp.resolve("torch-seq2seq-input.json"),
                "src, lens, tgt = (torch.tensor(inp[k]) for k in ('source', 'lengths', 'target_in'))",
                "out = lambda net: {'logits': net(src, lens, tgt).tolist(), 'greedy': net.greedy(src, lens)}");
    }

    /**
     * Writes the input to {@code file} and runs {@code prepare} (which defines {@code out(net)}) and then, for each
     * folder, {@code out(model.load(folder))} under {@code torch.no_grad()}; returns the JSON list of the outputs,
     * which python prints to {@code file}'s sibling {@code .out} (a file, so that the time limit holds).
     */
    private static JsonNode run(List<Path> dirs, Object input, Path file, String... prepare) throws Exception {
        JSON.writeValue(file.toFile(), input);
        String script = String.join("\n",
                "import importlib, json, sys, torch",
                "torch.set_num_threads(1)",
                "inp = json.load(open(sys.argv[1]))",
                String.join("\n", prepare),
                "outs = []",
                "for d in sys.argv[2:]:",
                "    sys.path.insert(0, d)",
                "    sys.modules.pop('model', None)",
                "    net = importlib.import_module('model').load(d)",
                "    with torch.no_grad():",
                "        outs.append(out(net))",
                "    sys.path.remove(d)",
                "print(json.dumps(outs))");
        List<String> cmd = new ArrayList<>(List.of(PythonTorch.find().orElseThrow(), "-c", script, file.toString()));
        dirs.forEach(d -> cmd.add(d.toString()));
        Path out = file.resolveSibling(file.getFileName() + ".out");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("python did not finish in 5 minutes: " + cmd);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python exit code; stdout: " + stdout);
        return JSON.readTree(stdout);
    }
}
