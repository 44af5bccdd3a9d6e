package io.sparkrnn.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one run in one directory, on any Hadoop file system (docs/formats.md, "Checkpoints"):
 *
 * <pre>
 *   &lt;dir&gt;/ckpt-000120/model.json             the spec's ModelJson document; provenance = the config
 *                      weights.safetensors    the parameters, one F32 tensor per layout entry (PyTorch names)
 *                      optimizer.safetensors  outer.momentum (F64), inner.&lt;name&gt; (F32, averaged inner state),
 *                                             state.partition.00003 (F32, each partition's recurrent state)
 *                      state.json             round, counters, seeds, config and its hash, metrics history,
 *                                             the validation score, the run's best round so far
 *                      vocab-*.txt ...        the caller's extra files
 *                      MANIFEST.sha256        "sha256  name" per file above (sha256sum -c reads it)
 *   &lt;dir&gt;/LATEST                               name of the newest complete checkpoint
 * </pre>
 *
 * <p>A save writes everything under {@code _tmp-ckpt-000120-<uuid>}, re-reads every file against the
 * manifest, renames the folder to {@code ckpt-000120} and only then replaces LATEST (write
 * {@code _LATEST.tmp}, delete LATEST, rename; HDFS renames do not overwrite). Every {@code ckpt-*} folder is
 * therefore complete; a crash leaves at worst a {@code _tmp-*} folder, which {@link #open} deletes, or a
 * missing LATEST, which readers do not need: they take the highest-numbered {@code ckpt-*} whose manifest
 * verifies. One writer per directory.
 *
 * <p>JSON and safetensors only; nothing is Java-serialized.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    public static final String FORMAT = "spark-rnn-checkpoint";
    public static final int FORMAT_VERSION = 1;
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE_JSON = "state.json";
    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String LATEST = "LATEST";

    static final String LATEST_TMP = "_LATEST.tmp";
    static final String TMP_PREFIX = "_tmp-";
    static final String PROBE_PREFIX = "_probe-";
    private static final Set<String> RESERVED = Set.of(MODEL_JSON, WEIGHTS, OPTIMIZER, STATE_JSON, MANIFEST);
    private static final Pattern CKPT = Pattern.compile("ckpt-(\\d{6,})");
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");


    private final FileSystem fs;
    private final Path dir;

    private CheckpointStore(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /** {@link #open(FileSystem, Path)} on the file system of {@code dir} (a path or URI: file://, hdfs://...). */
    public static CheckpointStore open(String dir, Configuration conf) throws IOException {
        Path p = new Path(dir);
        return open(p.getFileSystem(conf), p);
    }

    /**
     * Opens (creating it if needed) the checkpoint directory {@code dir}: checks that it is writable by creating
     * and deleting a probe file, and deletes what an interrupted save left behind ({@code _tmp-*},
     * {@code _LATEST.tmp}).
     *
     * @throws IOException naming the directory when it cannot be created or written
     */
    public static CheckpointStore open(FileSystem fs, Path dir) throws IOException {
        Path d = fs.makeQualified(dir);
        try {
            if (!fs.mkdirs(d)) {
                throw new IOException("mkdirs returned false");
            }
            Path probe = new Path(d, PROBE_PREFIX + UUID.randomUUID());
            try (FSDataOutputStream out = fs.create(probe, false)) {
                out.write(1);
            }
            if (!fs.delete(probe, false)) {
                throw new IOException("cannot delete probe file " + probe);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("checkpoint directory " + d + " is not writable: " + e.getMessage(), e);
        }
        CheckpointStore s = new CheckpointStore(fs, d);
        s.cleanLeftovers();
        return s;
    }

    /** The checkpoint directory, fully qualified. */
    public Path dir() {
        return dir;
    }

    /** The folder name of the checkpoint after {@code round} rounds: {@code ckpt-000120}. */
    public static String nameOf(long round) {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, found " + round);
        }
        return String.format("ckpt-%06d", round);
    }

    private void cleanLeftovers() throws IOException {
        for (FileStatus st : fs.listStatus(dir)) {
            String n = st.getPath().getName();
            if (n.startsWith(TMP_PREFIX) || n.startsWith(PROBE_PREFIX) || n.equals(LATEST_TMP)) {
                LOG.info("removing leftover of an interrupted checkpoint: {}", st.getPath());
                fs.delete(st.getPath(), true);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- saving

    /**
     * Writes the checkpoint of {@code state} (named after {@code state.round()}), verifies it, publishes it and
     * points LATEST at it. An existing checkpoint of the same round (from a run that resumed from an earlier one)
     * is replaced. On failure nothing visible changes: LATEST and the published checkpoints stay as they were.
     *
     * @param files extra files (vocabularies) by name, e.g. {@code vocab-chars.txt}
     * @return the checkpoint's name
     */
    public String save(ModelSpec spec, RoundTrainer.State state, RunInfo info, Map<String, byte[]> files)
            throws IOException {
        ParamLayout layout = spec.layout();
        if (state.params().length != layout.size()) {
            throw new IllegalArgumentException("state has " + state.params().length + " parameters, the model "
                    + layout.size());
        }
        for (String f : files.keySet()) {
            if (!FILE_NAME.matcher(f).matches() || RESERVED.contains(f) || f.equals(MANIFEST)) {
                throw new IllegalArgumentException("extra checkpoint file name must match " + FILE_NAME.pattern()
                        + " and not be one of " + RESERVED + ", found '" + f + "'");
            }
        }
        String name = nameOf(state.round());
        Path tmp = new Path(dir, TMP_PREFIX + name + "-" + UUID.randomUUID());
        Path target = new Path(dir, name);
        try {
            if (!fs.mkdirs(tmp)) {
                throw new IOException("cannot create " + tmp);
            }
            Map<String, String> sums = new LinkedHashMap<>();
            Map<String, String> provenance = new LinkedHashMap<>(info.config());
            provenance.put("checkpoint", name);
            byte[] model = spec.toJson(provenance).getBytes(StandardCharsets.UTF_8);
            sums.put(MODEL_JSON, write(tmp, MODEL_JSON, out -> out.write(model)));
            FlatParams params = new FlatParams(layout, Nd4j.createFromArray(state.params()));
            Map<String, String> wMeta = CheckpointCodec.weightsMetadata(state);
            sums.put(WEIGHTS, write(tmp, WEIGHTS, out -> SafeTensors.write(out, params, wMeta)));
            LinkedHashMap<String, INDArray> opt = CheckpointCodec.optimizerTensors(state);
            Map<String, String> oMeta = CheckpointCodec.optimizerMetadata(state);
            sums.put(OPTIMIZER, write(tmp, OPTIMIZER, out -> SafeTensors.write(out, opt, oMeta)));
            byte[] json = CheckpointCodec.stateJson(name, state, info, files.keySet());
            sums.put(STATE_JSON, write(tmp, STATE_JSON, out -> out.write(json)));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                sums.put(f.getKey(), write(tmp, f.getKey(), out -> out.write(f.getValue())));
            }
            byte[] manifest = CheckpointManifest.text(sums);
            write(tmp, MANIFEST, out -> out.write(manifest));
            CheckpointManifest.verify(fs, tmp);
            if (fs.exists(target)) {
                LOG.warn("replacing existing checkpoint {} (this run resumed from an earlier one)", target);
                retire(target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(tmp, true);
            } catch (IOException | RuntimeException d) {
                e.addSuppressed(d);
            }
            if (e instanceof IOException io) {
                throw new IOException("checkpoint " + name + " in " + dir
                        + " was not saved (the previous LATEST stands): " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        writeLatest(name);
        LOG.info("saved checkpoint {}", target);
        return name;
    }

    /** Writes {@code dirPath/file} (must not exist), synced to storage; returns its SHA-256 (hex). */
    private String write(Path dirPath, String file, HadoopFiles.Body body) throws IOException {
        return HadoopFiles.writeHashed(fs, new Path(dirPath, file), body);
    }

    private void writeLatest(String name) throws IOException {
        Path tmp = new Path(dir, LATEST_TMP);
        Path latest = new Path(dir, LATEST);
        FSDataOutputStream out = fs.create(tmp, true);
        try {
            out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
            HadoopFiles.hsync(out);
        } catch (IOException | RuntimeException e) {
            HadoopFiles.closeAfter(out, e);
            throw e;
        }
        out.close();
        // HDFS renames do not overwrite; between the delete and the rename readers fall back to the listing.
        fs.delete(latest, false);
        if (!fs.rename(tmp, latest)) {
            throw new IOException("cannot rename " + tmp + " to " + latest + "; checkpoint " + name
                    + " is complete and readers will find it without LATEST");
        }
    }

    // ------------------------------------------------------------------------------------------- listing

    /** The rounds of the published checkpoints ({@code ckpt-*} folders), ascending. */
    public List<Long> rounds() throws IOException {
        List<Long> r = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            Matcher m = CKPT.matcher(st.getPath().getName());
            if (st.isDirectory() && m.matches()) {
                r.add(Long.parseLong(m.group(1)));
            }
        }
        r.sort(null);
        return r;
    }

    /** The name in LATEST, or null when it is missing or unreadable. */
    public String latestPointer() {
        Path latest = new Path(dir, LATEST);
        try (InputStream in = fs.open(latest)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", latest, e.toString());
            return null;
        }
    }

    /**
     * The run's best validated round, which retention never deletes: as the newest readable {@code state.json}
     * records it ({@link RunInfo#best}); for checkpoints written before runs recorded it, the round of the checkpoint
     * with the lowest validation score. Empty when nothing was validated.
     */
    public Optional<Long> bestRound() throws IOException {
        List<Long> rounds = rounds();
        for (int i = rounds.size() - 1; i >= 0; i--) {
            JsonNode st = rawState(rounds.get(i));
            if (st != null) {
                try {
                    RunInfo.Best best = CheckpointCodec.best(st);
                    if (best != null) {
                        return Optional.of(best.round());
                    }
                } catch (IllegalArgumentException e) {
                    LOG.warn("{}: {}", new Path(new Path(dir, nameOf(rounds.get(i))), STATE_JSON), e.getMessage());
                }
                break;
            }
        }
        Long best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (long r : rounds) {
            JsonNode st = rawState(r);
            JsonNode v = st == null ? null : st.get("validation");
            if (v != null && v.isNumber() && (best == null || v.doubleValue() < bestValue)) {
                best = r;
                bestValue = v.doubleValue();
            }
        }
        return Optional.ofNullable(best);
    }

    /** The {@code state.json} of round {@code r}'s checkpoint as it is on storage; null (logged) when unreadable. */
    private JsonNode rawState(long r) {
        Path p = new Path(new Path(dir, nameOf(r)), STATE_JSON);
        try (InputStream in = fs.open(p)) {
            return CheckpointCodec.JSON.readTree(in);
        } catch (IOException e) {
            LOG.warn("cannot read {} while looking for the best checkpoint: {}", p, e.toString());
            return null;
        }
    }

    /**
     * Deletes the checkpoints that {@code policy} does not keep (never the best one, {@link #bestRound}, nor the
     * one LATEST names).
     *
     * @return the names deleted
     */
    public List<String> prune(CheckpointPolicy policy) throws IOException {
        List<Long> rounds = rounds();
        Set<Long> keep = policy.keep(rounds, bestRound().orElse(null));
        String latest = latestPointer();
        List<String> deleted = new ArrayList<>();
        for (long r : rounds) {
            String n = nameOf(r);
            if (!keep.contains(r) && !n.equals(latest)) {
                retire(new Path(dir, n));
                deleted.add(n);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("retention ({}) deleted {}", policy, deleted);
        }
        return deleted;
    }

    /** Deletes every checkpoint and LATEST (for a fresh start in the same directory). */
    public void deleteAll() throws IOException {
        fs.delete(new Path(dir, LATEST), false);
        for (long r : rounds()) {
            retire(new Path(dir, nameOf(r)));
        }
    }

    /** Renames a checkpoint out of the readers' sight, then deletes it; a crash in between leaves a _tmp-*. */
    private void retire(Path ckpt) throws IOException {
        Path gone = new Path(dir, TMP_PREFIX + "deleting-" + ckpt.getName() + "-" + UUID.randomUUID());
        if (!fs.rename(ckpt, gone)) {
            throw new IOException("cannot rename " + ckpt + " to " + gone + " for deletion");
        }
        fs.delete(gone, true);
    }

    // ------------------------------------------------------------------------------------------- loading

    /** A checkpoint file that does not match its manifest or cannot be read or parsed. */
    static final class DamagedException extends IOException {
        DamagedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The newest loadable checkpoint, or empty when the directory has none. Checkpoints are tried from the
     * highest round down; a damaged one (manifest mismatch, unreadable or malformed file) is reported with a
     * WARN naming the file and skipped.
     *
     * @throws IllegalStateException when there are checkpoints but none loads, or one has a format this build
     *                               does not read
     */
    public Optional<Checkpoint> latestIfAny() throws IOException {
        List<Long> rounds = rounds();
        if (rounds.isEmpty()) {
            return Optional.empty();
        }
        String pointer = latestPointer();
        String highest = nameOf(rounds.get(rounds.size() - 1));
        if (pointer == null) {
            LOG.warn("{} has no readable {}; taking the highest-numbered complete checkpoint", dir, LATEST);
        } else if (!pointer.equals(highest)) {
            LOG.warn("{} names {}, but {} is newer (a save stopped before replacing {}); trying {} first", LATEST,
                    pointer, highest, LATEST, highest);
        }
        List<String> problems = new ArrayList<>();
        for (int i = rounds.size() - 1; i >= 0; i--) {
            String n = nameOf(rounds.get(i));
            try {
                Checkpoint c = load(n);
                if (i < rounds.size() - 1) {
                    LOG.warn("resuming from {}, the newest loadable checkpoint", n);
                }
                return Optional.of(c);
            } catch (DamagedException e) {
                LOG.warn("checkpoint {} is damaged, trying the previous one: {}", n, e.getMessage());
                problems.add(e.getMessage());
            }
        }
        throw new IllegalStateException("no loadable checkpoint in " + dir + ":\n  " + String.join("\n  ", problems)
                + "\nStart over with --fresh or a new output folder.");
    }

    /**
     * The newest loadable checkpoint (see {@link #latestIfAny}).
     *
     * @throws IllegalStateException naming the directory when it has none
     */
    public Checkpoint latest() throws IOException {
        return latestIfAny().orElseThrow(() -> new IllegalStateException("no checkpoint in " + dir));
    }

    /**
     * Loads and verifies checkpoint {@code name}.
     *
     * @throws DamagedException      (an IOException) naming the file that does not match its manifest or
     *                               cannot be read or parsed
     * @throws IllegalStateException when its format or formatVersion is not one this build reads
     */
    public Checkpoint load(String name) throws IOException {
        Path ck = new Path(dir, name);
        Map<String, String> manifest = CheckpointManifest.read(fs, ck);
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        // state.json first: a verified state.json of an unknown version is refused, not skipped as damage
        bytes.put(STATE_JSON, CheckpointManifest.readVerified(fs, ck, STATE_JSON, manifest));
        ObjectNode st = CheckpointCodec.parseState(new Path(ck, STATE_JSON), bytes.get(STATE_JSON));
        for (String f : manifest.keySet()) {
            if (!bytes.containsKey(f)) {
                bytes.put(f, CheckpointManifest.readVerified(fs, ck, f, manifest));
            }
        }
        for (String required : List.of(MODEL_JSON, WEIGHTS, OPTIMIZER)) {
            if (!bytes.containsKey(required)) {
                throw new DamagedException(new Path(ck, MANIFEST) + ": does not list " + required, null);
            }
        }
        return CheckpointCodec.decode(name, ck, st, bytes);
    }
}
