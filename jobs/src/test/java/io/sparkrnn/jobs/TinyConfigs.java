package io.sparkrnn.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One shipped config of each task with settings small enough that a run over its sample in data/samples takes
 * seconds in local[2] (one round, a few local steps, no evaluation during training), and the figure a refresh gate
 * of that task decides by. Tests of other packages build their command lines here too, so that the settings exist
 * once.
 */
public enum TinyConfigs {
    /** A 16-unit character LM; data.train is the caller's (a part of the Moby Dick sample). */
    LM("conf/char-lm.conf", "bits_per_char", "model.hidden=16", "train.batch=8", "train.k1=32", "train.k2=32",
            "train.local-steps=4"),
    /**
     * A 16-unit bidirectional tagger of words on 30 files of the Brown sample (the shipped config's byte-pair-encoding
     * pieces learn too little in one round for the tests that compare such models; TagBpeTest runs pieces).
     */
    TAG("conf/brown-tagger.conf", "accuracy", "data.train=" + Commands.repo("data/samples/brown") + "/c[a-c][0-9][0-9]",
            "data.tokens=word", "model.hidden=16", "model.embedding=16", "train.local-steps=5"),
    /** A 16-unit classifier of the first 60 words of each mail of the SpamAssassin sample. */
    CLASSIFY("conf/spam-classifier.conf", "macro_f1", "data.train=" + Commands.repo("data/samples/spam-assassin"),
            "model.hidden=16", "model.embedding=16", "data.max-length=60", "train.k1=60", "train.k2=60",
            "train.local-steps=5"),
    /** An 8-unit forecaster of the US births sample. */
    FORECAST("conf/births-forecast.conf", "mae", "data.train=" + Commands.repo("data/samples/us-births/us-births.csv"),
            "model.hidden=8", "train.local-steps=5"),
    /** A 16-unit grapheme-to-phoneme model of the CMUdict sample, greedy decoding. */
    SEQ2SEQ("conf/cmudict-g2p.conf", "per", "data.train=" + Commands.repo("data/samples/cmudict/cmudict-sample.txt"),
            "model.hidden=16", "model.embedding=16", "data.max-source-length=12", "train.local-steps=10",
            "decode.beam=1");

    private final String conf;
    private final String metric;
    private final List<String> sets;

    TinyConfigs(String conf, String metric, String... sets) {
        this.conf = conf;
        this.metric = metric;
        this.sets = List.of(sets);
    }

    /** The config file (absolute). */
    public String conf() {
        return Commands.repo(conf).toString();
    }

    /** The figure a refresh of this task promotes by ({@code --promote-if-better}). */
    public String metric() {
        return metric;
    }

    /** The sample the small settings train on ({@code data.train}); none for {@link #LM}, whose text is the caller's. */
    public String dataTrain() {
        return sets.stream().filter(s -> s.startsWith("data.train=")).map(s -> s.substring("data.train=".length()))
                .findFirst().orElse(null);
    }

    /**
     * {@code train <conf>} with the small settings, one round, into {@code out}; then {@code more} as given (further
     * {@code --set key=value}, {@code --warm-start ...}).
     */
    public String[] train(Path out, String... more) {
        return command(List.of("train", conf()), out, more);
    }

    /**
     * {@code refresh <conf> --registry <root> --name <name> --promote-if-better <metric>} with the small settings,
     * one round, training into {@code out}; then {@code more} as given ({@code --set}, {@code --tolerance}, ...).
     */
    public String[] refresh(Path root, String name, Path out, String... more) {
        return refresh(root.toString(), name, out, more);
    }

    /** {@link #refresh(Path, String, Path, String...)} with the registry's root as a path or URI. */
    public String[] refresh(String root, String name, Path out, String... more) {
        return command(List.of("refresh", conf(), "--registry", root, "--name", name, "--promote-if-better", metric),
                out, more);
    }

    private String[] command(List<String> head, Path out, String... more) {
        List<String> a = new ArrayList<>(head);
        List<String> all = new ArrayList<>(List.of("spark.master=local[2]", "train.rounds=1", "eval.every=100",
                "output.dir=" + out));
        all.addAll(sets);
        for (String s : all) {
            a.add("--set");
            a.add(s);
        }
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }
}
