package io.sparkrnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.jobs.Seq2SeqSplit;
import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.JobSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The PyTorch side of {@code bench seq2seq}: {@link #SCRIPT} on the exported training part and ours' vocabularies,
 * with the config's architecture and hyper-parameters ({@link Args}); its outputs on the test sources scored by
 * {@link TestSet#score}. The child runs with {@code OMP_WAIT_POLICY=PASSIVE}.
 */
final class TorchSeq2Seq {
    static final String SCRIPT = "scripts/torch_seq2seq.py";

    private TorchSeq2Seq() {
    }

    /**
     * What the script is given of a config: the model's spec and {@code train.lr}, {@code train.clip},
     * {@code train.batch}, {@code train.seed}, {@code decode.beam} and {@code decode.alpha}.
     */
    record Args(Seq2SeqSpec spec, double lr, double clip, int batch, long seed, int beam, double alpha) {

        /** The arguments of {@code job}; a config the reference cannot run is a {@link ConfigException}. */
        static Args of(JobSettings job) {
            if (!job.task().equals("seq2seq")) {
                throw new ConfigException("task = " + job.task() + ": bench seq2seq needs a seq2seq config");
            }
            TokenUnit s = job.seq2seq().sourceTokens();
            TokenUnit t = job.seq2seq().targetTokens();
            if (job.data().format().equals("cmudict") || s == TokenUnit.CHARS || s == TokenUnit.BPE
                    || t == TokenUnit.CHARS || t == TokenUnit.BPE) {
                throw new ConfigException("data.source-tokens and data.target-tokens: bench seq2seq compares word-level "
                        + "translation (words or 13a), found " + s.name().toLowerCase(Locale.ROOT) + " and "
                        + t.name().toLowerCase(Locale.ROOT) + " (format " + job.data().format() + ")");
            }
            String optimizer = job.config().getChoice("train.optimizer");
            if (!optimizer.equals("adam")) {
                throw new ConfigException("train.optimizer = " + optimizer + ": the PyTorch reference trains with adam");
            }
            return new Args(job.seq2seqSpec(4, 4), job.config().getDouble("train.lr"),
                    job.config().getDouble("train.clip"), job.train().batch(), job.train().seed(), job.decode().beam(),
                    job.decode().alpha());
        }

        /** The script's options. */
        List<String> options() {
            List<String> o = new ArrayList<>(List.of("--cell", spec.cell().name().toLowerCase(Locale.ROOT),
                    "--embedding", Integer.toString(spec.sourceEmbedding()),
                    "--hidden", Integer.toString(spec.encoderHidden()),
                    "--layers", Integer.toString(spec.encoderLayers()),
                    "--decoder-hidden", Integer.toString(spec.decoderHidden()),
                    "--decoder-layers", Integer.toString(spec.decoderLayers()),
                    "--attention", spec.attention().name().toLowerCase(Locale.ROOT),
                    "--dropout", Double.toString(spec.dropout()), "--io-dropout", Double.toString(spec.ioDropout()),
                    "--label-smoothing", Double.toString(spec.labelSmoothing()),
                    "--max-source-length", Integer.toString(spec.maxSourceLength()),
                    "--max-length-ratio", Double.toString(spec.maxTargetRatio()),
                    "--lr", Double.toString(lr), "--clip", Double.toString(clip), "--batch", Integer.toString(batch),
                    "--seed", Long.toString(seed), "--beam", Integer.toString(beam), "--alpha", Double.toString(alpha)));
            if (spec.bidirectional()) {
                o.add("--bidirectional");
            }
            if (spec.inputFeeding()) {
                o.add("--input-feeding");
            }
            if (spec.tieEmbeddings()) {
                o.add("--tie-embeddings");
            }
            return o;
        }
    }

    /**
     * Trains the reference for {@code seconds} on {@code threads} threads in {@code root}/torch (the split in
     * {@code root}/split, ours' vocabularies in {@code root}/ours/model), decodes the test sources and scores them.
     */
    static ObjectNode run(String python, Args args, Path root, TestSet test, double seconds, int threads,
            long trainPairs) {
        Path dir = root.resolve("torch");
        Path sources = dir.resolve("test.source");
        Path outputs = dir.resolve("test.output");
        try {
            Files.createDirectories(dir);
            Files.write(sources, test.sources(), StandardCharsets.UTF_8);
            Files.deleteIfExists(outputs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + sources, e);
        }
        Path model = root.resolve("ours").resolve("model");
        List<String> cmd = new ArrayList<>(List.of(python, TorchPeer.script(SCRIPT).toString(),
                "--train", root.resolve("split").resolve(Seq2SeqSplit.TRAIN).toString(),
                "--sources", sources.toString(), "--output", outputs.toString(),
                "--source-vocab", model.resolve("vocab-source.txt").toString(),
                "--target-vocab", model.resolve("vocab-target.txt").toString(),
                "--seconds", Double.toString(seconds), "--threads", Integer.toString(threads)));
        cmd.addAll(args.options());
        long t0 = System.nanoTime();
        // OpenMP threads that spin at their barriers cost a loaded machine's other threads their turn: on 2 cores
        // under load 12 a training step took 4 s spinning, 0.14 s passive (0.1 s on one thread)
        Map<String, String> env = new HashMap<>(EngineBench.threadEnv(threads));
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        JsonNode r = EngineBench.runChild(cmd, env, "",
                Duration.ofSeconds((long) (2 * seconds) + 1800));
        double wall = (System.nanoTime() - t0) / 1e9;
        List<String> lines;
        try {
            lines = Files.readAllLines(outputs, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the reference's outputs " + outputs, e);
        }
        ObjectNode n = EngineBench.JSON.createObjectNode();
        test.score(lines).toJson(n, "test_");
        n.put("decode", args.beam() > 1 ? "beam " + args.beam() : "greedy");
        n.put("steps", r.path("steps").asLong());
        n.put("pairs", r.path("pairs").asLong());
        n.put("tokens", r.path("tokens").asLong());
        n.put("epochs", (double) r.path("pairs").asLong() / trainPairs);
        n.put("train_seconds", r.path("train_seconds").asDouble());
        n.put("decode_seconds", r.path("decode_seconds").asDouble());
        n.put("wall_seconds", wall);
        n.put("threads", threads);
        n.put("torch", r.path("torch").asText());
        n.put("python", python);
        return n;
    }
}
