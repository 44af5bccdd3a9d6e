package io.sparkrnn.engine.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward steps of each cell in DOUBLE against values computed here, element by element, from the equations in
 * PyTorch's documentation (not by the engine):
 * <pre>
 *   nn.RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
 *   nn.LSTM: [i f g o] = W_ih x + b_ih + W_hh h + b_hh (gate order i, f, g, o; rows k*H .. (k+1)*H-1)
 *            i, f, o = sigmoid(.), g = tanh(.), c' = f c + i g, h' = o tanh(c')
 *   nn.GRU:  r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *            n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h   (gate order r, z, n)
 * </pre>
 * Two steps each, so the recurrence (W_hh h, and c for the LSTM) is exercised. The uniform case (every weight and
 * bias 0.1) also has literal numbers worked out by hand; it cannot see a swapped gate order, so a second case uses
 * weights that differ by row and column, distinct b_ih and b_hh (which places b_hn inside r (...)), two batch
 * rows, a non-zero initial state, and H != I (which catches transposed weights).
 */
class HandComputedStepTest {
    static final double EXACT = 1e-12; // engine vs the same formulas in double: only rounding differs

    @ParameterizedTest(name = "{0}")
    @EnumSource(CellType.class)
    void uniformWeightsTwoSteps(CellType type) {
        int in = 2;
        int hidden = 2;
        int g = type.gates() * hidden;
        double[][] wIh = fill(g, in, (r, c) -> 0.1);
        double[][] wHh = fill(g, hidden, (r, c) -> 0.1);
        double[] bIh = column(g, 0.1);
        double[] bHh = column(g, 0.1);
        double[][][] x = {{{1, -1}}, {{0.5, 2}}}; // [T=2][B=1][I=2]
        double[][] h0 = {{0, 0}};
        double[][] c0 = {{0, 0}};
        double[][][] expected = reference(type, wIh, wHh, bIh, bHh, x, h0, c0);
        double[][][] actual = engine(type, wIh, wHh, bIh, bHh, x, h0, c0);
        assertClose(expected, actual, EXACT, type + " uniform");
    }

    /**
     * Step 1 of the uniform case by hand. x = [1, -1] and h = 0, so every pre-activation is
     * 0.1*1 + 0.1*(-1) + b_ih + b_hh = 0 + 0.1 + 0.1 = 0.2 (GRU's n: see below), the same for every unit.
     * tanh(0.2) = 0.197375320224904, sigmoid(0.2) = 1/(1+e^-0.2) = 0.549833997312478.
     */
    @Test
    void uniformFirstStepByHand() {
        double[][][] x = {{{1, -1}}, {{0.5, 2}}};
        // RNN: h1 = tanh(0.2) = 0.197375320224904.
        // Step 2: pre = 0.1*(0.5+2) + 0.1*(h1+h1) + 0.2 = 0.25 + 0.0394750640449808 + 0.2 = 0.4894750640449808,
        // h2 = tanh(0.4894750640449808) = 0.453799698286413.
        double[][][] rnn = uniformEngine(CellType.RNN_TANH, x);
        for (int j = 0; j < 2; j++) {
            assertEquals(0.197375320224904, rnn[0][0][j], 1e-12, "RNN h1");
            assertEquals(0.453799698286413, rnn[1][0][j], 1e-12, "RNN h2");
        }
        // LSTM: i = f = o = sigmoid(0.2) = 0.549833997312478, g = tanh(0.2) = 0.197375320224904;
        // c1 = f*0 + i*g = 0.549833997312478 * 0.197375320224904 = 0.108523661290089;
        // tanh(c1) = 0.108099617181377; h1 = o*tanh(c1) = 0.549833997312478 * 0.108099617181377 = 0.059436844622785.
        double[][][] lstm = uniformEngine(CellType.LSTM, x);
        for (int j = 0; j < 2; j++) {
            assertEquals(0.059436844622785, lstm[0][0][j], 1e-12, "LSTM h1");
        }
        // GRU: r = z = sigmoid(0.2) = 0.549833997312478; W_in x + b_in = 0 + 0.1, W_hn h + b_hn = 0 + 0.1, so
        // n = tanh(0.1 + r*0.1) = tanh(0.1549833997312478) = 0.153754314473525;
        // h1 = (1 - z)*n + z*0 = 0.450166002687522 * 0.153754314473525 = 0.069214965142507.
        double[][][] gru = uniformEngine(CellType.GRU, x);
        for (int j = 0; j < 2; j++) {
            assertEquals(0.069214965142507, gru[0][0][j], 1e-12, "GRU h1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CellType.class)
    void nonUniformWeightsTwoStepsTwoRows(CellType type) {
        int in = 2;
        int hidden = 3;
        int g = type.gates() * hidden;
        // Every row of W (and so every gate block) differs: a swapped gate order or transposed weight shows.
        double[][] wIh = fill(g, in, (r, c) -> 0.1 * (r + 1) - 0.05 * c);
        double[][] wHh = fill(g, hidden, (r, c) -> 0.3 - 0.05 * r + 0.1 * c);
        double[] bIh = new double[g];
        double[] bHh = new double[g];
        for (int r = 0; r < g; r++) {
            bIh[r] = 0.02 * r - 0.1;
            bHh[r] = 0.15 - 0.03 * r;
        }
        double[][][] x = {{{1, -1}, {0.3, 0.7}}, {{0.5, 2}, {-1.2, 0.4}}}; // [T=2][B=2][I=2]
        double[][] h0 = {{0, 0, 0}, {0.2, -0.4, 0.6}};
        double[][] c0 = {{0, 0, 0}, {-0.5, 0.1, 0.3}};
        double[][][] expected = reference(type, wIh, wHh, bIh, bHh, x, h0, c0);
        double[][][] actual = engine(type, wIh, wHh, bIh, bHh, x, h0, c0);
        assertClose(expected, actual, EXACT, type + " non-uniform");
    }

    // ---- reference: PyTorch's equations, one scalar at a time ----

    /** Outputs h_t for t = 1..T, [T][B][H]. */
    static double[][][] reference(CellType type, double[][] wIh, double[][] wHh, double[] bIh, double[] bHh,
            double[][][] x, double[][] h0, double[][] c0) {
        int steps = x.length;
        int batch = x[0].length;
        int hidden = h0[0].length;
        double[][][] out = new double[steps][batch][hidden];
        for (int b = 0; b < batch; b++) {
            double[] h = h0[b].clone();
            double[] c = c0[b].clone();
            for (int t = 0; t < steps; t++) {
                double[] hNew = new double[hidden];
                double[] cNew = new double[hidden];
                for (int j = 0; j < hidden; j++) {
                    switch (type) {
                        case RNN_TANH -> hNew[j] = Math.tanh(pre(wIh, bIh, x[t][b], j) + pre(wHh, bHh, h, j));
                        case LSTM -> {
                            double i = sigmoid(pre(wIh, bIh, x[t][b], j) + pre(wHh, bHh, h, j));
                            double f = sigmoid(pre(wIh, bIh, x[t][b], hidden + j) + pre(wHh, bHh, h, hidden + j));
                            double gg = Math.tanh(pre(wIh, bIh, x[t][b], 2 * hidden + j)
                                    + pre(wHh, bHh, h, 2 * hidden + j));
                            double o = sigmoid(pre(wIh, bIh, x[t][b], 3 * hidden + j)
                                    + pre(wHh, bHh, h, 3 * hidden + j));
                            cNew[j] = f * c[j] + i * gg;
                            hNew[j] = o * Math.tanh(cNew[j]);
                        }
                        case GRU -> {
                            double r = sigmoid(pre(wIh, bIh, x[t][b], j) + pre(wHh, bHh, h, j));
                            double z = sigmoid(pre(wIh, bIh, x[t][b], hidden + j) + pre(wHh, bHh, h, hidden + j));
                            double n = Math.tanh(pre(wIh, bIh, x[t][b], 2 * hidden + j)
                                    + r * pre(wHh, bHh, h, 2 * hidden + j));
                            hNew[j] = (1 - z) * n + z * h[j];
                        }
                    }
                }
                h = hNew;
                c = cNew;
                out[t][b] = h.clone();
            }
        }
        return out;
    }

    /** Row {@code row} of W v + b. */
    private static double pre(double[][] w, double[] bias, double[] v, int row) {
        double s = bias[row];
        for (int k = 0; k < v.length; k++) {
            s += w[row][k] * v[k];
        }
        return s;
    }

    private static double sigmoid(double a) {
        return 1.0 / (1.0 + Math.exp(-a));
    }

    // ---- the engine ----

    static double[][][] engine(CellType type, double[][] wIh, double[][] wHh, double[] bIh, double[] bHh,
            double[][][] x, double[][] h0, double[][] c0) {
        RecurrentCell cell = RecurrentCell.of(type, x[0][0].length, h0[0].length);
        CellParams p = new CellParams(Nd4j.createFromArray(wIh), Nd4j.createFromArray(wHh),
                Nd4j.createFromArray(bIh), Nd4j.createFromArray(bHh));
        INDArray c = type.hasCellState() ? Nd4j.createFromArray(c0) : null;
        RecurrentCell.Window w = cell.forward(p, Nd4j.createFromArray(x), Nd4j.createFromArray(h0), c, null, false);
        INDArray out = w.output();
        assertEquals(DataType.DOUBLE, out.dataType());
        double[][][] r = new double[x.length][x[0].length][h0[0].length];
        for (int t = 0; t < r.length; t++) {
            for (int b = 0; b < r[0].length; b++) {
                for (int j = 0; j < r[0][0].length; j++) {
                    r[t][b][j] = out.getDouble(t, b, j);
                }
            }
        }
        return r;
    }

    private static double[][][] uniformEngine(CellType type, double[][][] x) {
        int g = type.gates() * 2;
        return engine(type, fill(g, 2, (r, c) -> 0.1), fill(g, 2, (r, c) -> 0.1), column(g, 0.1), column(g, 0.1), x,
                new double[][] {{0, 0}}, new double[][] {{0, 0}});
    }

    private static void assertClose(double[][][] expected, double[][][] actual, double tol, String what) {
        double maxDiff = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int b = 0; b < expected[0].length; b++) {
                for (int j = 0; j < expected[0][0].length; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected[t][b][j] - actual[t][b][j]));
                    assertEquals(expected[t][b][j], actual[t][b][j], tol, what + ": h at t=" + t + ", b=" + b
                            + ", j=" + j);
                }
            }
        }
        System.out.printf("%s: max |engine - reference| = %.3g%n", what, maxDiff);
    }

    private interface Entry {
        double at(int r, int c);
    }

    private static double[][] fill(int rows, int cols, Entry e) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = e.at(r, c);
            }
        }
        return m;
    }

    private static double[] column(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
