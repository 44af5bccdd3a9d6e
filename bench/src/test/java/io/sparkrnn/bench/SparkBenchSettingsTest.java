package io.sparkrnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrnn.engine.tensor.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparkBenchSettingsTest {
    /** float32 by default, as before the setting; bf16 on request; the engine gets the same precision. */
    @Test
    void precisionIsFloat32UnlessBf16IsAsked() {
        SparkBenchSettings s = SparkBenchSettings.defaults();
        assertEquals("float32", s.precision());
        assertEquals(Precision.FLOAT32, s.enginePrecision());
        assertEquals(Precision.BF16, s.withPrecision("bf16").enginePrecision());
        assertEquals(s.withRounds(3), s.withPrecision("bf16").withRounds(3).withPrecision("float32"));
        assertEquals(List.of("float32", "bf16"), SparkBenchSettings.PRECISIONS);
    }

    /** Any other value is refused with the allowed ones, as inner-state is. */
    @Test
    void otherPrecisionsAreRefused() {
        SparkBenchSettings s = SparkBenchSettings.defaults();
        assertEquals("precision must be one of [float32, bf16], found 'fp16'",
                assertThrows(IllegalArgumentException.class, () -> s.withPrecision("fp16")).getMessage());
        assertEquals("precision must be one of [float32, bf16], found 'BF16'",
                assertThrows(IllegalArgumentException.class, () -> s.withPrecision("BF16")).getMessage());
        assertEquals("inner-state must be one of [reset, keep, average], found 'none'",
                assertThrows(IllegalArgumentException.class, () -> new SparkBenchSettings(s.text(), 0.1, 8, 16, 4, 10,
                        3e-3, 1.0, 2, 2, 2, "none", "float32", "auto", "plain", 1.0, 0.0, 1, 16, 1234)).getMessage());
    }

    /** Ours' round tasks as the product's default (auto) unless asked; any other value refused. */
    @Test
    void roundTasksAreTheProductsDefaultUnlessAsked() {
        SparkBenchSettings s = SparkBenchSettings.defaults();
        assertEquals("auto", s.roundTasks());
        assertEquals("per-round", s.withRoundTasks("per-round").roundTasks());
        assertEquals("resident", s.withRoundTasks("resident").roundTasks());
        assertEquals("round tasks must be auto, per-round or resident, found 'often'",
                assertThrows(IllegalArgumentException.class, () -> s.withRoundTasks("often")).getMessage());
    }
}
