package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config errors of the task configs: exit code 2 with a one-line reason, before Spark starts. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private static void assertConfigError(Commands.Run r, String... parts) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
    }

    /** The shipped config on its shipped sample (absolute path), with overrides. */
    private Commands.Run train(String conf, String... sets) {
        String data = switch (conf) {
            case "conf/char-lm.conf" -> "data/samples/moby-dick/moby-dick.txt";
            case "conf/brown-tagger.conf" -> "data/samples/brown/ca01";
            case "conf/spam-classifier.conf" -> "data/samples/spam-assassin";
            default -> "data/samples/us-births/us-births.csv";
        };
        String[] all = new String[sets.length + 1];
        all[0] = "data.train=" + TaskTesting.path(data);
        System.arraycopy(sets, 0, all, 1, sets.length);
        return MainTest.run(TaskTesting.train(conf, tmp.resolve("out"), all));
    }

    @Test
    void aModelTooLargeToExistIsRefusedBeforeSparkStarts() {
        // 100,000 hidden units: 40 billion parameters in the LSTM alone, past any float32 vector
        Commands.Run huge = train("conf/char-lm.conf", "model.hidden=100000");
        assertConfigError(huge, "model.hidden = 100000", "40,013,700,033 parameters", "one float32 vector");
        assertTrue(!huge.out().contains("corpus"), "the corpus was read: " + huge.out());
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("out")), "output.dir was created");
    }

    @Test
    void unknownTaskKeysNameTheNearestKey() {
        assertConfigError(train("conf/births-forecast.conf", "forecast.windw=3"), "unknown key 'forecast.windw'",
                "did you mean 'forecast.window'");
        assertConfigError(train("conf/brown-tagger.conf", "model.bidirectonal=true"),
                "did you mean 'model.bidirectional'");
        assertConfigError(train("conf/brown-tagger.conf", "task=translate"), "task must be one of",
                "lm | tag | classify | forecast");
    }

    @Test
    void wrongTypesAndRangesOfTaskKeys() {
        assertConfigError(train("conf/brown-tagger.conf", "model.bidirectional=yes"),
                "model.bidirectional expects true or false", "yes");
        assertConfigError(train("conf/spam-classifier.conf", "data.validation-fraction=0.9"),
                "data.validation-fraction must be >= 0.0, <= 0.5, found 0.9");
        assertConfigError(train("conf/births-forecast.conf", "forecast.window=0"), "forecast.window must be >= 1");
        assertConfigError(train("conf/spam-classifier.conf", "model.pooling=max"), "model.pooling must be one of",
                "last | mean");
        assertConfigError(train("conf/brown-tagger.conf", "vocab.max-size=lots"), "vocab.max-size expects a whole number");
        assertConfigError(train("conf/char-lm.conf", "train.engine-threads=0"),
                "train.engine-threads must be >= 1, <= 64, found 0");
    }

    @Test
    void missingInputsAreConfigErrors() {
        assertConfigError(train("conf/brown-tagger.conf", "data.train=" + tmp.resolve("nope")), "data.train: no such file",
                "nope");
        assertConfigError(train("conf/spam-classifier.conf", "data.train=" + tmp.resolve("none")),
                "data.train: no such folder", "none");
        assertConfigError(train("conf/brown-tagger.conf", "data.validation=" + tmp.resolve("valid.txt")),
                "data.validation: no such file");
    }

    @Test
    void combinationsThatCannotWorkAreRefused() {
        assertConfigError(train("conf/char-lm.conf", "model.bidirectional=true", "train.k2=64"),
                "task = lm", "model.bidirectional must be false");
        assertConfigError(train("conf/brown-tagger.conf", "data.format=csv"), "data.format = csv does not fit task = tag",
                "brown | conll");
        assertConfigError(train("conf/brown-tagger.conf", "train.k2=32"),
                "model.bidirectional = true needs train.k2 = train.k1 = 64");
        assertConfigError(train("conf/spam-classifier.conf", "train.k1=100", "train.k2=100"),
                "train.k1 (100) must be >= data.max-length (200)");
        assertConfigError(train("conf/spam-classifier.conf", "data.folders=spam-1"),
                "data.folders expects folder:label pairs", "spam-1");
        assertConfigError(train("conf/births-forecast.conf", "forecast.season=60"),
                "forecast.season (60) must be <= forecast.window (56)");
        assertConfigError(train("conf/births-forecast.conf", "forecast.targets=births,year"),
                "forecast.targets [births, year] must also be in forecast.features");
        assertConfigError(train("conf/births-forecast.conf", "data.validation-fraction=0",
                "forecast.validation-rows=0"), "needs data.validation-fraction > 0 or forecast.validation-rows > 0");
        assertConfigError(train("conf/births-forecast.conf", "forecast.calendar=day-of-week,weekday"),
                "forecast.calendar: unknown covariate 'weekday'", "day-of-year");
        assertConfigError(train("conf/births-forecast.conf", "forecast.time-columns=year,month"),
                "forecast.calendar needs a date", "[year, month]");
    }

    @Test
    void modelCommandsCheckTheirOptions() {
        assertConfigError(MainTest.run("evaluate", tmp.toString(), "--data", "x"), "no model in");
        assertConfigError(MainTest.run("predict", tmp.toString(), "--frobnicate", "1"), "unknown option '--frobnicate'");
        Commands.Run help = MainTest.run("predict", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--format tsv|parquet") && help.out().contains("examples:"), help.out());
        assertTrue(MainTest.run("evaluate", "--help").out().contains("confusion matrix"));
        assertTrue(MainTest.run("inspect", "--help").out().contains("example:"));
    }
}
