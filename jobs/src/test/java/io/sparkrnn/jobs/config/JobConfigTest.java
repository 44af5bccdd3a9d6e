package io.sparkrnn.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values of the wrong size or kind are config errors that name the key and the value as written. */
class JobConfigTest {

    private static ConfigException refused(String... sets) {
        return assertThrows(ConfigException.class, () -> JobConfig.load(null, List.of(sets)));
    }

    @Test
    void aWholeNumberPastIntsRangeIsRefusedNotWrapped() {
        // 4294967298 = 2^32 + 2 used to become 2 rounds; 3000000000 a negative number in the message.
        ConfigException wrapped = refused("train.rounds=4294967298");
        assertTrue(wrapped.getMessage().contains("train.rounds") && wrapped.getMessage().contains("4294967298"),
                wrapped.getMessage());
        ConfigException negative = refused("train.rounds=3000000000");
        assertTrue(negative.getMessage().contains("3000000000") && !negative.getMessage().contains("-"),
                negative.getMessage());
        ConfigException quoted = refused("train.rounds=\"99999999999999999999\"");
        assertTrue(quoted.getMessage().contains("99999999999999999999"), quoted.getMessage());
    }

    @Test
    void theLargestIntIsStillAccepted() {
        assertEquals(Integer.MAX_VALUE, JobConfig.load(null, List.of("train.rounds=2147483647")).getInt("train.rounds"));
        assertEquals(24, JobConfig.load(null, List.of("train.rounds=24.0")).getInt("train.rounds"));
    }

    @Test
    void aFractionIsNotAWholeNumber() {
        ConfigException e = refused("train.rounds=2.5");
        assertTrue(e.getMessage().contains("expects a whole number, found 2.5"), e.getMessage());
    }

    @Test
    void aModelFoldersConfigIncludesNothingAndSubstitutesNothing(@TempDir Path dir) throws IOException {
        Path other = dir.resolve("other.conf");
        Files.writeString(other, "data.train = \"/etc/passwd\"\n");
        String saved = JobConfig.load(null, List.of()).render();
        Path conf = dir.resolve("config.conf");
        Files.writeString(conf, saved);
        assertEquals(JobConfig.load(conf, List.of()).asStrings(), JobConfig.loadSaved(Files.readString(conf), conf.toString(), List.of()).asStrings());
        for (String hostile : List.of("include \"other.conf\"", "include file(\"" + other + "\")",
                "include url(\"http://127.0.0.1:9/x.conf\")", "include classpath(\"reference.conf\")",
                "data.train = ${HOME}", "data.train = ${?PATH}", "data.validation = ${data.train}")) {
            Files.writeString(conf, saved + hostile + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> JobConfig.loadSaved(Files.readString(conf), conf.toString(), List.of()),
                    hostile);
            assertTrue(e.getMessage().startsWith(conf + ": a model folder's config.conf may not"), e.getMessage());
        }
    }

    @Test
    void infinityAndNanAreRefusedForEveryNumber() {
        for (String v : List.of("Infinity", "-Infinity", "NaN")) {
            ConfigException e = refused("train.lr=" + v);
            assertTrue(e.getMessage().contains("train.lr") && e.getMessage().contains("finite"), e.getMessage());
        }
        ConfigException clip = refused("train.global-clip=Infinity");
        assertTrue(clip.getMessage().contains("train.global-clip"), clip.getMessage());
    }
}
