package io.sparkrnn.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float32 activations against {@link Math#tanh} and 1 / (1 + e^-x) in double, on a dense grid. */
class FloatMathTest {

    @Test
    void tanhIsWithin4e7OfTheExactValueAndSaturates() {
        double worst = 0;
        for (int k = -400_000; k <= 400_000; k++) {
            float x = k * 5e-5f; // [-20, 20]
            worst = Math.max(worst, Math.abs(FloatMath.tanh(x) - Math.tanh(x)));
        }
        System.out.println("tanh max abs error " + worst);
        assertTrue(worst < 4e-7, "tanh max abs error " + worst);
        assertEquals(0f, FloatMath.tanh(0f));
        assertEquals(-FloatMath.tanh(0.3f), FloatMath.tanh(-0.3f)); // odd
        assertEquals(1f, FloatMath.tanh(1e30f), 4e-7f);
        assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY), 4e-7f);
        // Near 0 the relative error stays small too: tanh(x) ~ x.
        assertEquals(1e-6, FloatMath.tanh(1e-6f), 1e-12);
    }

    @Test
    void sigmoidIsWithin3e7OfTheExactValue() {
        double worst = 0;
        for (int k = -400_000; k <= 400_000; k++) {
            float x = k * 1e-4f; // [-40, 40]
            worst = Math.max(worst, Math.abs(FloatMath.sigmoid(x) - 1.0 / (1.0 + Math.exp(-x))));
        }
        System.out.println("sigmoid max abs error " + worst);
        assertTrue(worst < 3e-7, "sigmoid max abs error " + worst);
        assertEquals(0.5f, FloatMath.sigmoid(0f));
        assertEquals(0.7310585786300049, FloatMath.sigmoid(1f), 3e-7);
    }

    @Test
    void arrayFormsApplyToTheRangeOnly() {
        float[] a = {1f, 2f, -3f, 0.5f, 7f};
        FloatMath.tanh(a, 1, 3);
        FloatMath.sigmoid(a, 3, 5);
        assertEquals(1f, a[0]);
        assertEquals(Math.tanh(2), a[1], 4e-7);
        assertEquals(Math.tanh(-3), a[2], 4e-7);
        assertEquals(1 / (1 + Math.exp(-0.5)), a[3], 3e-7);
        assertEquals(1 / (1 + Math.exp(-7)), a[4], 3e-7);
    }

    @Test
    void expOfNonPositiveArgumentsIsWithin1e10RelativeOfMathExp() {
        int n = 200_001;
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = -64.0 * k / (n - 1);
        }
        double[] x = a.clone();
        FloatMath.expNonPositive(a, 0, n);
        double worst = 0;
        for (int k = 0; k < n; k++) {
            worst = Math.max(worst, Math.abs(a[k] / Math.exp(x[k]) - 1));
        }
        assertTrue(worst < 1e-10, "worst relative error " + worst);
        assertEquals(1.0, a[0]);
        double[] below = {-64.5, -1000, Double.NEGATIVE_INFINITY, Double.NaN};
        FloatMath.expNonPositive(below, 0, 3);
        for (int k = 0; k < 3; k++) {
            assertEquals(Math.exp(-64), below[k], 1e-10 * Math.exp(-64));
        }
        FloatMath.expNonPositive(below, 3, 4);
        assertTrue(Double.isNaN(below[3]), "NaN stays NaN");
    }
}
