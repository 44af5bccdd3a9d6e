package io.sparkrnn.engine.tensor;

/**
 * Float32 tanh and logistic functions built from multiply, add, divide and min/max only, so that the JIT
 * vectorises the array loops below (a loop calling {@link Math#exp} runs one scalar call, about 15 ns, per
 * element). tanh is Eigen 3.4's rational approximation ({@code generic_fast_tanh_float} in
 * {@code Eigen/src/Core/MathFunctionsImpl.h}): x clamped to [-7.9053, 7.9053], then
 * {@code tanh(x) = x P(x^2) / Q(x^2)} with P of degree 6 and Q of degree 3; its absolute error against the exact
 * tanh is below 4e-7 (a few float ulps of 1). sigmoid(x) = (1 + tanh(x / 2)) / 2, absolute error below 3e-7.
 */
public final class FloatMath {
    private static final float CLAMP = 7.90531110763549805f;

    private FloatMath() {
    }

    /** tanh(x) to within 4e-7. */
    public static float tanh(float x) {
        float v = Math.max(-CLAMP, Math.min(CLAMP, x));
        float v2 = v * v;
        float p = -2.76076847742355e-16f;
        p = p * v2 + 2.00018790482477e-13f;
        p = p * v2 + -8.60467152213735e-11f;
        p = p * v2 + 5.12229709037114e-08f;
        p = p * v2 + 1.48572235717979e-05f;
        p = p * v2 + 6.37261928875436e-04f;
        p = p * v2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * v2 + 1.18534705686654e-04f;
        q = q * v2 + 2.26843463243900e-03f;
        q = q * v2 + 4.89352518554385e-03f;
        return v * p / q;
    }

    /** The logistic function 1 / (1 + e^-x), to within 3e-7. */
    public static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    /** Below this, {@link #expNonPositive} returns exp of it (1.6e-28), not of x. */
    static final double EXP_FLOOR = -64;

    /**
     * {@code a[k] = exp(a[k])} for k in [from, to), for arguments {@code <= 0} (softmax's logits minus their maximum),
     * in double with a relative error below 1e-10 (against {@link Math#exp}, FloatMathTest); arguments below
     * {@link #EXP_FLOOR} give {@code exp(EXP_FLOOR)}. Built from multiply and add only, so the JIT vectorises the loop:
     * {@code exp(x) = (exp(x / 256))^256} with the degree-9 Taylor polynomial on {@code [-0.25, 0]} (remainder under
     * 3e-13, amplified 256-fold by the eight squarings).
     */
    public static void expNonPositive(double[] a, int from, int to) {
        for (int k = from; k < to; k++) {
            double x = Math.max(a[k], EXP_FLOOR) * (1.0 / 256);
            double p = 1.0 / 362880;
            p = p * x + 1.0 / 40320;
            p = p * x + 1.0 / 5040;
            p = p * x + 1.0 / 720;
            p = p * x + 1.0 / 120;
            p = p * x + 1.0 / 24;
            p = p * x + 1.0 / 6;
            p = p * x + 0.5;
            p = p * x + 1.0;
            p = p * x + 1.0;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            a[k] = p;
        }
    }

    /** {@code a[k] = tanh(a[k])} for k in [from, to). */
    public static void tanh(float[] a, int from, int to) {
        for (int k = from; k < to; k++) {
            a[k] = tanh(a[k]);
        }
    }

    /** {@code a[k] = sigmoid(a[k])} for k in [from, to). */
    public static void sigmoid(float[] a, int from, int to) {
        for (int k = from; k < to; k++) {
            a[k] = sigmoid(a[k]);
        }
    }
}
