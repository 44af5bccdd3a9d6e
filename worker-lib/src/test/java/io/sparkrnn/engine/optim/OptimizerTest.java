package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.Fixtures.N;
import static io.sparkrnn.engine.optim.Fixtures.grad;
import static io.sparkrnn.engine.optim.Fixtures.lr;
import static io.sparkrnn.engine.optim.Fixtures.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The lifecycle shared by all optimizers: state names, snapshots, load, copy, reset. */
class OptimizerTest {

    static Stream<Arguments> configs() {
        List<Arguments> out = new ArrayList<>();
        for (DataType dtype : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            out.add(Arguments.of(OptimizerConfig.sgd().withWeightDecay(0.1), dtype));
            out.add(Arguments.of(OptimizerConfig.momentum(0.9), dtype));
            out.add(Arguments.of(OptimizerConfig.nesterov(0.9).withWeightDecay(0.01), dtype));
            out.add(Arguments.of(OptimizerConfig.adam().withWeightDecay(0.1), dtype));
            out.add(Arguments.of(OptimizerConfig.adamW(0.01), dtype));
        }
        return out.stream();
    }

    /** Steps {@code opt} on {@code p} with the fixture gradients of steps [from, to). */
    private static void steps(Optimizer opt, INDArray p, int from, int to) {
        for (int t = from; t < to; t++) {
            opt.step(p, vec(opt.dataType(), grad(t, opt.dataType())), lr(t));
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void copyPlusLoadStateContinuesBitForBit(OptimizerConfig config, DataType dtype) {
        Optimizer a = config.create(N, dtype);
        INDArray pa = vec(dtype, Fixtures.P0);
        steps(a, pa, 0, 3);

        Optimizer b = a.copy();
        b.loadState(a.state(), a.stepCount());
        INDArray pb = pa.dup();
        steps(a, pa, 3, 7);
        steps(b, pb, 3, 7);

        assertEquals(7, a.stepCount());
        assertEquals(7, b.stepCount());
        assertArrayEquals(pa.toDoubleVector(), pb.toDoubleVector());
        a.state().forEach((name, v) -> assertArrayEquals(v.toDoubleVector(), b.state().get(name).toDoubleVector()));
    }

    /**
     * The float32 state taken in bulk is {@link Optimizer#state()}'s values, and loading it continues like
     * {@link Optimizer#loadState}: bit for bit for float32 optimizers; double ones hold the float32 values.
     */
    @ParameterizedTest
    @MethodSource("configs")
    void floatStateIsTheStateAndLoadsLikeIt(OptimizerConfig config, DataType dtype) {
        Optimizer a = config.create(N, dtype);
        INDArray pa = vec(dtype, Fixtures.P0);
        steps(a, pa, 0, 3);
        Map<String, float[]> floats = a.stateFloats();
        assertEquals(a.state().keySet(), floats.keySet());
        a.state().forEach((name, v) -> assertArrayEquals(v.castTo(DataType.FLOAT).toFloatVector(), floats.get(name),
                name));

        Optimizer b = a.copy();
        b.loadStateFloats(floats, a.stepCount());
        assertEquals(3, b.stepCount());
        b.state().forEach((name, v) -> assertArrayEquals(floats.get(name), v.castTo(DataType.FLOAT).toFloatVector(),
                name));
        if (dtype == DataType.FLOAT) {
            INDArray pb = pa.dup();
            steps(a, pa, 3, 7);
            steps(b, pb, 3, 7);
            assertArrayEquals(pa.toDoubleVector(), pb.toDoubleVector());
        }
    }

    @Test
    void loadStateFloatsRejectsWrongNamesAndLengthsAndChangesNothing() {
        Optimizer opt = OptimizerConfig.adam().create(4, DataType.FLOAT);
        float[] good = {1, 2, 3, 4};
        assertMessage("ADAM state must hold [exp_avg, exp_avg_sq], found [exp_avg]",
                () -> opt.loadStateFloats(Map.of("exp_avg", good), 1));
        Map<String, float[]> shortOne = new LinkedHashMap<>();
        shortOne.put("exp_avg", good);
        shortOne.put("exp_avg_sq", new float[] {1, 2, 3});
        assertMessage("state 'exp_avg_sq' must have 4 elements, found 3", () -> opt.loadStateFloats(shortOne, 1));
        Map<String, float[]> both = new LinkedHashMap<>();
        both.put("exp_avg", good);
        both.put("exp_avg_sq", good);
        assertMessage("stepCount must be >= 0, found -1", () -> opt.loadStateFloats(both, -1));
        assertEquals(0, opt.stepCount());
        assertEquals(0.0, opt.state().get("exp_avg").amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void resetBehavesLikeAFreshOptimizer(OptimizerConfig config, DataType dtype) {
        Optimizer used = config.create(N, dtype);
        steps(used, vec(dtype, Fixtures.P0), 0, 4);
        used.reset();
        assertEquals(0, used.stepCount());

        INDArray pUsed = vec(dtype, Fixtures.P0);
        INDArray pFresh = vec(dtype, Fixtures.P0);
        steps(used, pUsed, 0, 3);
        steps(config.create(N, dtype), pFresh, 0, 3);
        assertArrayEquals(pFresh.toDoubleVector(), pUsed.toDoubleVector());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void copyHasSameConfigAndFreshState(OptimizerConfig config, DataType dtype) {
        Optimizer a = config.create(N, dtype);
        steps(a, vec(dtype, Fixtures.P0), 0, 2);
        Optimizer b = a.copy();
        assertNotSame(a, b);
        assertEquals(config, b.config());
        assertEquals(N, b.size());
        assertEquals(dtype, b.dataType());
        assertEquals(0, b.stepCount());
        b.state().values().forEach(v -> assertEquals(0.0, v.amaxNumber().doubleValue()));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void stateIsASnapshotInTheParamsDtype(OptimizerConfig config, DataType dtype) {
        Optimizer opt = config.create(N, dtype);
        steps(opt, vec(dtype, Fixtures.P0), 0, 2);
        Map<String, INDArray> s = opt.state();
        s.values().forEach(v -> {
            assertEquals(dtype, v.dataType());
            assertEquals(N, v.length());
            v.assign(123);
        });
        opt.state().values().forEach(v -> assertTrue(v.amaxNumber().doubleValue() < 123));
        assertThrows(UnsupportedOperationException.class, () -> s.remove("exp_avg"));
    }

    @Test
    void stateNamesFollowPyTorchInAFixedOrder() {
        assertEquals(List.of(), names(OptimizerConfig.sgd()));
        assertEquals(List.of("momentum_buffer"), names(OptimizerConfig.momentum(0.9)));
        assertEquals(List.of("momentum_buffer"), names(OptimizerConfig.nesterov(0.9)));
        assertEquals(List.of("exp_avg", "exp_avg_sq"), names(OptimizerConfig.adam()));
        assertEquals(List.of("exp_avg", "exp_avg_sq"), names(OptimizerConfig.adamW(0.01)));
    }

    private static List<String> names(OptimizerConfig c) {
        return List.copyOf(c.create(3, DataType.FLOAT).state().keySet());
    }

    @Test
    void createMakesTheRightImplementation() {
        assertInstanceOf(Sgd.class, OptimizerConfig.sgd().create(2, DataType.DOUBLE));
        assertInstanceOf(Sgd.class, OptimizerConfig.nesterov(0.5).create(2, DataType.DOUBLE));
        assertInstanceOf(Adam.class, OptimizerConfig.adamW(0.1).create(2, DataType.FLOAT));
    }

    @Test
    void createRejectsBadSizeAndDtype() {
        OptimizerConfig c = OptimizerConfig.adam();
        assertMessage("size must be positive, found 0", () -> c.create(0, DataType.FLOAT));
        assertMessage("dtype must be FLOAT or DOUBLE, found HALF", () -> c.create(4, DataType.HALF));
        assertMessage("dtype must be FLOAT or DOUBLE, found INT", () -> c.create(4, DataType.INT));
    }

    @Test
    void loadStateRejectsWrongNamesLengthsAndDtypes() {
        Optimizer opt = OptimizerConfig.adam().create(4, DataType.FLOAT);
        INDArray good = vec(DataType.FLOAT, 1, 2, 3, 4);

        assertMessage("ADAM state must hold [exp_avg, exp_avg_sq], found [exp_avg]",
                () -> opt.loadState(Map.of("exp_avg", good), 1));
        assertMessage("state 'exp_avg_sq' must be a rank-1 vector of length 4, found shape [3]",
                () -> opt.loadState(ordered(good, vec(DataType.FLOAT, 1, 2, 3)), 1));
        assertMessage("state 'exp_avg_sq' must have dtype FLOAT, found DOUBLE",
                () -> opt.loadState(ordered(good, vec(DataType.DOUBLE, 1, 2, 3, 4)), 1));
        assertMessage("stepCount must be >= 0, found -1", () -> opt.loadState(ordered(good, good), -1));
        assertMessage("SGD state must hold [], found [momentum_buffer]",
                () -> OptimizerConfig.sgd().create(4, DataType.FLOAT).loadState(Map.of("momentum_buffer", good), 0));

        // A failed load leaves the optimizer as it was.
        assertEquals(0, opt.stepCount());
        assertEquals(0.0, opt.state().get("exp_avg").amaxNumber().doubleValue());
    }

    private static Map<String, INDArray> ordered(INDArray expAvg, INDArray expAvgSq) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("exp_avg", expAvg);
        m.put("exp_avg_sq", expAvgSq);
        return m;
    }

    @Test
    void stepRejectsMismatchedVectorsAndBadRates() {
        Optimizer opt = OptimizerConfig.momentum(0.9).create(3, DataType.DOUBLE);
        INDArray p = vec(DataType.DOUBLE, 1, 2, 3);
        INDArray g = vec(DataType.DOUBLE, 1, 1, 1);
        assertMessage("grads must be a rank-1 vector of length 3, found shape [2]",
                () -> opt.step(p, vec(DataType.DOUBLE, 1, 1), 0.1));
        assertMessage("params must have dtype DOUBLE, found FLOAT",
                () -> opt.step(vec(DataType.FLOAT, 1, 2, 3), g, 0.1));
        assertMessage("params must be a rank-1 vector of length 3, found shape [1, 3]",
                () -> opt.step(p.reshape(1, 3), g, 0.1));
        assertMessage("lr must be finite and >= 0, found -1.0", () -> opt.step(p, g, -1.0));
        assertMessage("lr must be finite and >= 0, found NaN", () -> opt.step(p, g, Double.NaN));
        assertEquals(0, opt.stepCount());
        assertArrayEquals(new double[] {1, 2, 3}, p.toDoubleVector());
    }

    static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(expected, e.getMessage());
    }
}
