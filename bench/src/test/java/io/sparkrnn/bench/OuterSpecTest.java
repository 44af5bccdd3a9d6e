package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.jobs.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class OuterSpecTest {
    @Test
    void defaultsFillTheMissingFields() {
        assertEquals(new OuterSpec("plain", 1.0, 0.0), OuterSpec.parse("outer", "plain"));
        assertEquals(new OuterSpec("plain", 1.5, 0.0), OuterSpec.parse("outer", "plain:1.5"));
        assertEquals(new OuterSpec("nesterov", 0.7, 0.9), OuterSpec.parse("outer", "nesterov"));
        assertEquals(new OuterSpec("nesterov", 1.0, 0.9), OuterSpec.parse("outer", "NESTEROV:1"));
        assertEquals(new OuterSpec("nesterov", 0.5, 0.8), OuterSpec.parse("outer", "nesterov:0.5:0.8"));
    }

    @Test
    void listsParseInOrderAndLabelsParseBack() {
        List<OuterSpec> l = OuterSpec.parseList("outer", "plain, plain:2,nesterov:0.7:0.9");
        assertEquals(List.of(new OuterSpec("plain", 1.0, 0.0), new OuterSpec("plain", 2.0, 0.0),
                new OuterSpec("nesterov", 0.7, 0.9)), l);
        assertEquals(List.of("plain:1", "plain:2", "nesterov:0.7:0.9"), l.stream().map(OuterSpec::label).toList());
        for (OuterSpec s : l) {
            assertEquals(s, OuterSpec.parse("outer", s.label()));
        }
        SparkBenchSettings applied = l.get(2).applyTo(SparkBenchSettings.defaults());
        assertEquals("nesterov", applied.outer());
        assertEquals(0.7, applied.outerLr());
        assertEquals(0.9, applied.outerMomentum());
    }

    @Test
    void badSpecsNameTheOptionAndTheSpec() {
        assertError("adam", "adam");
        assertError("plain:1:0.9", "too many fields");
        assertError("nesterov:0.7:0.9:1", "too many fields");
        assertError("plain:fast", "'fast'");
        assertError("plain:0", "outer lr must be > 0");
        assertError("nesterov:0.7:1", "momentum must be in (0, 1)");
        assertError("nesterov:0.7:0", "momentum must be in (0, 1)");
        assertError("plain,", "found ''");
    }

    private static void assertError(String spec, String part) {
        ConfigException e = assertThrows(ConfigException.class, () -> OuterSpec.parseList("outer", spec));
        assertTrue(e.getMessage().startsWith("--outer: ") && e.getMessage().contains(part), e.getMessage());
    }
}
