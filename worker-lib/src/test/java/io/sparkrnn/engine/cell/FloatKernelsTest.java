package io.sparkrnn.engine.cell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 kernels (float[] copies, rational tanh) against the float64 kernels, which the gradient checks in
 * {@link RecurrentCellTest} validate: the same window, weights and output gradient run in both precisions, and
 * every output, final state, parameter gradient and input gradient must agree to float precision. H = 37 and a
 * batch of 5 give rows whose loops have vectorised bodies and scalar tails; masks, reverse cells, a truncated
 * backward pass and gradients entering through the final state are covered.
 */
class FloatKernelsTest {
    static final int T = 6;
    static final int B = 5;
    static final int I = 7;
    static final int H = 37;
    /** Relative to the largest magnitude of the compared tensor: float32 rounding through 6 steps. */
    static final double TOL = 2e-5;

    static Stream<Arguments> cases() {
        return Stream.of(CellType.values()).flatMap(c -> Stream.of(
                Arguments.of(c, false, false, 0, false), Arguments.of(c, true, true, 0, false),
                Arguments.of(c, false, true, 2, false), Arguments.of(c, false, false, 0, true)));
    }

    @ParameterizedTest(name = "{0} reverse={1} mask={2} gradStart={3} finalGrads={4}")
    @MethodSource("cases")
    void floatMatchesDouble(CellType type, boolean reverse, boolean masked, int gradStart, boolean finalGrads) {
        Nd4j.getRandom().setSeed(7);
        RecurrentCell cell = RecurrentCell.of(type, I, H);
        int g = cell.gateSize();
        INDArray[] params = {rand(g, I), rand(g, H), rand(g), rand(g)};
        INDArray x = rand(T, B, I).muli(2);
        INDArray h0 = rand(B, H);
        INDArray c0 = rand(B, H);
        INDArray dOut = rand(T, B, H);
        INDArray dhFinal = finalGrads ? rand(B, H) : null;
        INDArray dcFinal = finalGrads && type.hasCellState() ? rand(B, H) : null;
        INDArray mask = null;
        if (masked) {
            mask = Nd4j.ones(DataType.DOUBLE, T, B);
            for (int t = 4; t < T; t++) {
                mask.putScalar(t, 1, 0.0);
            }
            for (int t = 1; t < T; t++) {
                mask.putScalar(t, 3, 0.0);
            }
        }
        Result d = run(cell, DataType.DOUBLE, params, x, h0, c0, dOut, dhFinal, dcFinal, mask, reverse, gradStart);
        Result f = run(RecurrentCell.of(type, I, H), DataType.FLOAT, params, x, h0, c0, dOut, dhFinal, dcFinal, mask,
                reverse, gradStart);
        close("output", d.output, f.output);
        close("final state", d.finalState, f.finalState);
        if (type.hasCellState()) {
            close("final cell state", d.finalCell, f.finalCell);
            close("dc0", d.dInitial[1], f.dInitial[1]);
        }
        close("dh0", d.dInitial[0], f.dInitial[0]);
        close("dx", d.dx, f.dx);
        String[] names = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
        for (int k = 0; k < 4; k++) {
            close(names[k], d.grads[k], f.grads[k]);
        }
    }

    record Result(INDArray output, INDArray finalState, INDArray finalCell, INDArray dx, INDArray[] grads,
            INDArray[] dInitial) {
    }

    private static Result run(RecurrentCell cell, DataType dt, INDArray[] params, INDArray x, INDArray h0,
            INDArray c0, INDArray dOut, INDArray dhFinal, INDArray dcFinal, INDArray mask, boolean reverse,
            int gradStart) {
        CellParams p = new CellParams(params[0].castTo(dt), params[1].castTo(dt), params[2].castTo(dt),
                params[3].castTo(dt));
        INDArray[] grads = {Nd4j.zeros(dt, params[0].shape()), Nd4j.zeros(dt, params[1].shape()),
                Nd4j.zeros(dt, params[2].shape()), Nd4j.zeros(dt, params[3].shape())};
        CellParams g = new CellParams(grads[0], grads[1], grads[2], grads[3]);
        RecurrentCell.Window w = cell.forward(p, x.castTo(dt), h0.castTo(dt),
                cell.type().hasCellState() ? c0.castTo(dt) : null, mask == null ? null : mask.castTo(dt), reverse);
        INDArray output = w.output().castTo(DataType.DOUBLE);
        INDArray finalState = w.finalState().castTo(DataType.DOUBLE);
        INDArray finalCell = w.finalCellState() == null ? null : w.finalCellState().castTo(DataType.DOUBLE);
        INDArray[] dInitial = new INDArray[2];
        INDArray dx = cell.backward(p, g, w, dOut.castTo(dt), gradStart, dhFinal == null ? null : dhFinal.castTo(dt),
                dcFinal == null ? null : dcFinal.castTo(dt), dInitial);
        INDArray[] grads64 = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            grads64[k] = grads[k].castTo(DataType.DOUBLE);
        }
        return new Result(output, finalState, finalCell, dx.castTo(DataType.DOUBLE), grads64,
                new INDArray[] {dInitial[0].castTo(DataType.DOUBLE),
                        dInitial[1] == null ? null : dInitial[1].castTo(DataType.DOUBLE)});
    }

    private static void close(String what, INDArray expected, INDArray actual) {
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        System.out.printf("%s: max |float - double| %.3g (max |double| %.3g)%n", what, diff, scale);
        assertTrue(scale > 1e-3, what + " is degenerate: max |value| " + scale);
        assertTrue(diff <= TOL * scale, what + ": max |float - double| " + diff + " vs max |double| " + scale);
    }

    private static INDArray rand(long... shape) {
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2.0);
    }
}
