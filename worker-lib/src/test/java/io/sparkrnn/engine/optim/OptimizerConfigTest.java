package io.sparkrnn.engine.optim;

import static io.sparkrnn.engine.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OptimizerConfigTest {

    @Test
    void factoriesSetPyTorchDefaults() {
        assertEquals(new OptimizerConfig(OptimizerType.SGD, 0.0, 0.9, 0.999, 1e-8, 0.0), OptimizerConfig.sgd());
        assertEquals(0.8, OptimizerConfig.momentum(0.8).momentum());
        assertEquals(OptimizerType.NESTEROV, OptimizerConfig.nesterov(0.7).type());
        OptimizerConfig adam = OptimizerConfig.adam();
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.eps());
        assertEquals(0.0, adam.weightDecay());
        assertEquals(0.05, OptimizerConfig.adamW(0.05).weightDecay());
        assertEquals(0.01, OptimizerConfig.defaults(OptimizerType.ADAMW).weightDecay());
        assertEquals(0.9, OptimizerConfig.defaults(OptimizerType.MOMENTUM).momentum());
    }

    @Test
    void withCopiersChangeOneFieldAndLeaveTheOriginal() {
        OptimizerConfig base = OptimizerConfig.adam();
        OptimizerConfig c = base.withBeta1(0.8).withBeta2(0.99).withEps(1e-6).withWeightDecay(0.1);
        assertEquals(new OptimizerConfig(OptimizerType.ADAM, 0.9, 0.8, 0.99, 1e-6, 0.1), c);
        assertEquals(OptimizerConfig.adam(), base);
        assertEquals(0.5, OptimizerConfig.momentum(0.9).withMomentum(0.5).momentum());
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertMessage("momentum must be in [0, 1), found 1.0", () -> OptimizerConfig.momentum(1.0));
        assertMessage("momentum must be in [0, 1), found -0.1", () -> OptimizerConfig.momentum(-0.1));
        assertMessage("beta1 must be in [0, 1), found 1.0", () -> OptimizerConfig.adam().withBeta1(1.0));
        assertMessage("beta2 must be in [0, 1), found NaN", () -> OptimizerConfig.adam().withBeta2(Double.NaN));
        assertMessage("eps must be positive and finite, found 0.0", () -> OptimizerConfig.adam().withEps(0));
        assertMessage("eps must be positive and finite, found Infinity",
                () -> OptimizerConfig.adam().withEps(Double.POSITIVE_INFINITY));
        assertMessage("weightDecay must be finite and >= 0, found -1.0", () -> OptimizerConfig.adamW(-1.0));
        assertMessage("SGD takes no momentum (use MOMENTUM or NESTEROV), found momentum 0.9",
                () -> OptimizerConfig.sgd().withMomentum(0.9));
        assertMessage("NESTEROV needs momentum in (0, 1), found 0.0", () -> OptimizerConfig.nesterov(0.0));
        assertMessage("type must not be null", () -> new OptimizerConfig(null, 0, 0.9, 0.999, 1e-8, 0));
    }
}
