package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The round's snapshot and task results survive Java serialisation bit for bit, and in fewer bytes' work. */
class FloatWireTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    /** A vector longer than one 64 KB piece, with the values whose bits are easiest to lose. */
    private static float[] vector(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        v[0] = -0.0f;
        v[1] = Float.MIN_VALUE;
        v[2] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
        v[3] = Float.NEGATIVE_INFINITY;
        return v;
    }

    private static void assertSameBits(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
        }
    }

    @Test
    void aTaskResultWithInnerStateComesBackBitForBit() throws Exception {
        Map<String, float[]> inner = new LinkedHashMap<>();
        inner.put("exp_avg_sq", vector(20_001, 2)); // not alphabetical: the order must survive
        inner.put("exp_avg", vector(20_001, 3));
        WorkerResult r = new WorkerResult(1, vector(20_001, 1), 80_000, 123456.75, 2, 1, 33.5, 25, vector(64, 4),
                inner, 75, null, false, 1.75, 0.003, 0.002);
        WorkerResult back = roundTrip(r);
        assertSameBits(r.delta(), back.delta());
        assertSameBits(r.state(), back.state());
        assertEquals(List.of("exp_avg_sq", "exp_avg"), List.copyOf(back.innerState().keySet()));
        assertSameBits(inner.get("exp_avg"), back.innerState().get("exp_avg"));
        assertSameBits(inner.get("exp_avg_sq"), back.innerState().get("exp_avg_sq"));
        assertEquals(List.of(1, 80_000L, 123456.75, 2, 1, 33.5, 25, 75L, false, 1.75, 0.003, 0.002),
                List.of(back.partition(), back.tokens(), back.lossSum(), back.clippedSteps(), back.skippedSteps(),
                        back.gradNormSum(), back.steps(), back.innerSteps(), back.stale(), back.seconds(),
                        back.loadSeconds(), back.extractSeconds()));
        assertNull(back.kept());
    }

    @Test
    void aStaleResultAndAKeptStateComeBack() throws Exception {
        WorkerResult stale = roundTrip(WorkerResult.stale(3, 10));
        assertTrue(stale.stale());
        assertArrayEquals(new float[10], stale.delta());
        assertNull(stale.state());
        assertNull(stale.innerState());
        Map<String, float[]> v = new LinkedHashMap<>();
        v.put("exp_avg", vector(5, 6));
        WorkerResult k = roundTrip(new WorkerResult(0, new float[0], 1, 0, 0, 0, 0, 1, null, null, 9,
                new KeptState(v, 9), false, 0, 0, 0));
        assertEquals(9, k.kept().steps());
        assertSameBits(v.get("exp_avg"), k.kept().vectors().get("exp_avg"));
        assertEquals(0, k.delta().length);
    }

    @Test
    void aSnapshotComesBackBitForBit() throws Exception {
        Map<Integer, float[]> states = new TreeMap<>(Map.of(0, vector(100, 7), 1, vector(100, 8)));
        Map<String, float[]> inner = new LinkedHashMap<>();
        inner.put("exp_avg", vector(70_000, 9));
        inner.put("exp_avg_sq", vector(70_000, 10));
        Map<Integer, KeptState> kept = new TreeMap<>();
        kept.put(1, new KeptState(Map.of("exp_avg", vector(4, 11)), 50));
        kept.put(0, null);
        Snapshot s = new Snapshot(7, vector(70_000, 12), 0.25, states, inner, 175, 6, kept);
        Snapshot back = roundTrip(s);
        assertEquals(7, back.round());
        assertSameBits(s.params(), back.params());
        assertEquals(0.25, back.lrScale());
        assertEquals(states.keySet(), back.states().keySet());
        assertSameBits(states.get(1), back.states().get(1));
        assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(back.innerState().keySet()));
        assertSameBits(inner.get("exp_avg_sq"), back.innerState().get("exp_avg_sq"));
        assertEquals(175, back.innerSteps());
        assertEquals(6, back.keptRound());
        assertNull(back.kept().get(0));
        assertTrue(back.kept().containsKey(0));
        assertEquals(50, back.kept().get(1).steps());
        assertSameBits(kept.get(1).vectors().get("exp_avg"), back.kept().get(1).vectors().get("exp_avg"));
        Snapshot none = roundTrip(new Snapshot(1, new float[2], 1, Map.of(), null, 0, 0, null));
        assertNull(none.innerState());
        assertNull(none.kept());
        assertTrue(none.states().isEmpty());
    }
}
