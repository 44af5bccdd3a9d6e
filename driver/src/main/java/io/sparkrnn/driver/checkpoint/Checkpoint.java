package io.sparkrnn.driver.checkpoint;

import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.model.ModelSpec;
import io.sparkrnn.engine.param.FlatParams;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A loaded, verified checkpoint.
 *
 * @param name       its folder name, e.g. {@code ckpt-000120}
 * @param spec       the model, from {@code model.json}
 * @param params     the weights (FLOAT), in the model's layout
 * @param state      the driver state to pass to {@link RoundTrainer#restore}
 * @param files      the caller's extra files (vocabularies) by name
 * @param info       seeds, counters, config, metrics history and validation metric from {@code state.json}
 * @param configHash the config hash stored in {@code state.json}
 * @param createdAt  when it was written (ISO-8601, UTC)
 */
public record Checkpoint(String name, ModelSpec spec, FlatParams params, RoundTrainer.State state,
        Map<String, byte[]> files, RunInfo info, String configHash, String createdAt) {
    public Checkpoint {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /** Rounds completed when it was written. */
    public long round() {
        return state.round();
    }

    /**
     * Refuses to resume a run whose model or config differs: compares the spec field by field and the config
     * hashes.
     *
     * @throws IllegalArgumentException naming every differing spec field, or the two hashes
     */
    public void checkCompatible(ModelSpec current, String currentConfigHash) {
        List<String> diffs = specDiffs(current);
        if (!Objects.equals(configHash, currentConfigHash)) {
            diffs.add("config hash: checkpoint " + configHash + ", now " + currentConfigHash);
        }
        fail(diffs);
    }

    /**
     * Refuses to resume a run whose model or config differs: compares the spec field by field and, for each
     * key of {@code mustMatch} (the settings that change the result: model shape, vocabulary, optimizer...),
     * its value with the checkpoint's config. Keys absent from {@code mustMatch} (total rounds, paths) may
     * differ.
     *
     * @throws IllegalArgumentException listing every differing key with both values
     */
    public void checkCompatible(ModelSpec current, Map<String, String> mustMatch) {
        List<String> diffs = specDiffs(current);
        for (String k : new TreeSet<>(mustMatch.keySet())) {
            String was = info.config().get(k);
            String now = mustMatch.get(k);
            if (!Objects.equals(was, now)) {
                diffs.add(k + ": checkpoint " + (was == null ? "(unset)" : was) + ", now " + now);
            }
        }
        fail(diffs);
    }

    /** The differing fields of the two specs (records of one family), or their kinds. */
    private List<String> specDiffs(ModelSpec current) {
        List<String> diffs = new ArrayList<>();
        if (!current.kind().equals(spec.kind())) {
            diffs.add("model kind: checkpoint " + spec.kind() + ", now " + current.kind());
            return diffs;
        }
        for (RecordComponent c : spec.getClass().getRecordComponents()) {
            Object was = value(c, spec);
            Object now = value(c, current);
            if (!Objects.equals(was, now)) {
                diffs.add("spec." + c.getName() + ": checkpoint " + was + ", now " + now);
            }
        }
        return diffs;
    }

    private static Object value(RecordComponent c, ModelSpec s) {
        try {
            return c.getAccessor().invoke(s);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + s.getClass().getSimpleName() + "." + c.getName(), e);
        }
    }

    private void fail(List<String> diffs) {
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("cannot resume from " + name + ": the run differs from the checkpoint in "
                    + diffs.size() + " key(s):\n  " + String.join("\n  ", diffs)
                    + "\nUse the checkpoint's settings, a new output folder, or --fresh to start over.");
        }
    }
}
