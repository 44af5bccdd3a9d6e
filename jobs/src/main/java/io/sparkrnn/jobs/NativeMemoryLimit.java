package io.sparkrnn.jobs;

import java.util.Properties;

/**
 * JavaCPP's cap on the process's physical memory for a JVM that runs the engine itself (a local run, where the
 * driver is also the executor; cluster executors get theirs from {@code ExecutorMemory}).
 *
 * <p>ND4J's arrays live in native memory that is freed only when the garbage collector has collected their Java
 * objects, and the engine allocates little on the heap, so the collector runs rarely and dead native buffers
 * pile up. JavaCPP collects when the resident size passes {@code org.bytedeco.javacpp.maxphysicalbytes}, whose
 * own default is twice the heap: a full Brown tagger run with {@code -Xmx4g} grew past 9 GB resident and was
 * killed by the kernel on a machine shared with other jobs. Heap plus {@link #NATIVE_ALLOWANCE} keeps the
 * working set of the largest benchmarked replica (LSTM 512, batch 128: 1.4 GB resident in all) with room to
 * spare; a run that truly needs more fails with JavaCPP's "Physical memory usage is too high" error naming the
 * property, instead of being killed.
 */
final class NativeMemoryLimit {
    static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxphysicalbytes";
    /** Native memory allowed above the heap. */
    static final long NATIVE_ALLOWANCE = 2L << 30;

    private NativeMemoryLimit() {
    }

    /**
     * Sets {@link #MAX_PHYSICAL} in {@code props} to {@code maxHeap + NATIVE_ALLOWANCE} bytes unless the user set
     * it; must run before ND4J loads. Returns the value in effect.
     */
    static String applyDefault(Properties props, long maxHeap) {
        String set = props.getProperty(MAX_PHYSICAL);
        if (set != null && !set.isBlank()) {
            return set;
        }
        String v = Long.toString(maxHeap + NATIVE_ALLOWANCE);
        props.setProperty(MAX_PHYSICAL, v);
        return v;
    }
}
