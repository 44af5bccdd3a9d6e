package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch peers: with the python3 that {@code PythonTorch.find()} finds, runs
 * {@code bench/src/main/python/torch_rnn.py}, as implementation {@code torch} (float32) or {@code torch-bf16} (the
 * same step under {@code torch.autocast("cpu", dtype=torch.bfloat16)}); {@link Seq2SeqBench} runs its own script
 * through {@link #script(String)}.
 */
final class TorchPeer {
    static final String SCRIPT = "bench/src/main/python/torch_rnn.py";

    /** The implementation names this peer runs, each to the script's {@code --autocast} value. */
    static final Map<String, String> AUTOCAST = Map.of("torch", "none", "torch-bf16", "bf16");

    private TorchPeer() {
    }

    /** Whether {@code impl} is run by this peer. */
    static boolean runs(String impl) {
        return AUTOCAST.containsKey(impl);
    }

    /** Times {@code impl} (one of {@link #AUTOCAST}); {@code s} has a single batch and thread count. */
    static JsonNode run(String python, String impl, BenchSettings s, String cell, int hidden) {
        List<String> cmd = new ArrayList<>(List.of(python, script().toString(), "--cell", cell,
                "--hidden", Integer.toString(hidden), "--vocab", Integer.toString(s.vocab()),
                "--embedding", Integer.toString(s.embedding()), "--batch", Integer.toString(s.batch()),
                "--seq", Integer.toString(s.seq()), "--k", Integer.toString(s.k()), "--lr", Double.toString(s.lr()),
                "--clip", Double.toString(s.clip()), "--threads", Integer.toString(s.threadCount()),
                "--repeats", Integer.toString(s.repeats()), "--steps", Integer.toString(s.steps()),
                "--target-seconds", Double.toString(s.targetSeconds()), "--seed", Long.toString(s.seed()), "--autocast", AUTOCAST.get(impl)));
        return EngineBench.runChild(cmd, EngineBench.threadEnv(s.threadCount()), "", EngineBench.CHILD_TIMEOUT);
    }

    /** {@link #SCRIPT} in the repository. */
    static Path script() {
        return script(SCRIPT);
    }

    /**
     * The script at {@code relative} (to the repository's root) in the repository: searched upwards from this code's
     * location, then from the working directory.
     */
    static Path script(String relative) {
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Paths.get(TorchPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code source (unusual class loader): the working directory is still searched
        }
        starts.add(Paths.get("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(relative))) {
                    return p.resolve(relative);
                }
            }
        }
        throw new IllegalStateException("cannot find " + relative + " above " + starts);
    }
}
