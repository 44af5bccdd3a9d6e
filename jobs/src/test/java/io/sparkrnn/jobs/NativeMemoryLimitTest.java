package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NativeMemoryLimitTest {
    @Test
    void defaultIsTheHeapPlusTheNativeAllowance() {
        Properties p = new Properties();
        assertEquals(Long.toString((4L << 30) + (2L << 30)), NativeMemoryLimit.applyDefault(p, 4L << 30));
        assertEquals("6442450944", p.getProperty(NativeMemoryLimit.MAX_PHYSICAL));
    }

    @Test
    void aValueTheUserSetIsKept() {
        Properties p = new Properties();
        p.setProperty(NativeMemoryLimit.MAX_PHYSICAL, "12g");
        assertEquals("12g", NativeMemoryLimit.applyDefault(p, 4L << 30));
        assertEquals("12g", p.getProperty(NativeMemoryLimit.MAX_PHYSICAL));
    }
}
