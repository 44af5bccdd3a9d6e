package io.sparkrnn.engine.cell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.testutil.GradCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import java.util.stream.Stream;

class RecurrentCellTest {
    static final int T = 5;
    static final int B = 3;
    static final int I = 4;
    static final int H = 3;

    static Stream<Arguments> cases() {
        return Stream.of(CellType.values()).flatMap(c -> Stream.of(
                Arguments.of(c, false, false, 0), Arguments.of(c, true, false, 0),
                Arguments.of(c, false, true, 0), Arguments.of(c, true, true, 0),
                Arguments.of(c, false, true, 2)));
    }

    @ParameterizedTest(name = "{0} reverse={1} mask={2} gradStart={3}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(CellType type, boolean reverse, boolean masked, int gradStart) {
        Nd4j.getRandom().setSeed(42);
        RecurrentCell cell = RecurrentCell.of(type, I, H);
        int g = cell.gateSize();
        CellParams p = new CellParams(rand(g, I), rand(g, H), rand(g), rand(g));
        INDArray x = rand(T, B, I);
        INDArray h0 = rand(B, H);
        INDArray c0 = type.hasCellState() ? rand(B, H) : null;
        INDArray mask = null;
        if (masked) {
            mask = Nd4j.ones(DataType.DOUBLE, T, B);
            // row 1 has length 3, row 2 length 1
            for (int t = 3; t < T; t++) {
                mask.putScalar(t, 1, 0.0);
            }
            for (int t = 1; t < T; t++) {
                mask.putScalar(t, 2, 0.0);
            }
        }
        INDArray r = rand(T, B, H);
        INDArray maskF = mask;
        // Truncated objective: the state entering gradStart is a constant computed with the fixed weights.
        INDArray[] state = initialStateAt(cell, p, x, h0, c0, mask, reverse, gradStart);
        INDArray xs = gradStart == 0 ? x : x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(gradStart, T),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray ms = maskF == null || gradStart == 0 ? maskF : maskF.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(gradStart, T), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray rs = gradStart == 0 ? r : r.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(gradStart, T),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        java.util.function.DoubleSupplier loss = () -> {
            RecurrentCell.Window w = cell.forward(p, xs, state[0], state[1], ms, reverse);
            return w.output().mul(rs).sumNumber().doubleValue();
        };

        // analytic: full window forward, backward from gradStart
        RecurrentCell.Window w = cell.forward(p, x, h0, c0, mask, reverse);
        CellParams grads = new CellParams(Nd4j.zeros(DataType.DOUBLE, g, I), Nd4j.zeros(DataType.DOUBLE, g, H),
                Nd4j.zeros(DataType.DOUBLE, g), Nd4j.zeros(DataType.DOUBLE, g));
        INDArray dx = cell.backward(p, grads, w, r, gradStart);

        check("weight_ih", p.wIh(), grads.wIh(), loss);
        check("weight_hh", p.wHh(), grads.wHh(), loss);
        check("bias_ih", p.bIh(), grads.bIh(), loss);
        check("bias_hh", p.bHh(), grads.bHh(), loss);
        INDArray dxs = gradStart == 0 ? dx : dx.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(gradStart, T),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        check("input", xs, dxs, loss);
    }

    private static INDArray[] initialStateAt(RecurrentCell cell, CellParams p, INDArray x, INDArray h0, INDArray c0,
            INDArray mask, boolean reverse, int gradStart) {
        if (gradStart == 0) {
            return new INDArray[] {h0, c0};
        }
        INDArray xp = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, gradStart),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray mp = mask == null ? null : mask.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, gradStart),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        RecurrentCell.Window w = cell.forward(p, xp, h0, c0, mp, reverse);
        return new INDArray[] {w.finalState().dup(), w.finalCellState() == null ? null : w.finalCellState().dup()};
    }

    private static void check(String what, INDArray param, INDArray grad, java.util.function.DoubleSupplier loss) {
        GradCheck.Result res = GradCheck.check(param, grad, loss);
        System.out.println(what + ": " + res);
        assertTrue(res.maxRelError() <= 1e-6, what + ": " + res);
    }

    private static INDArray rand(long... shape) {
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2.0);
    }
}
