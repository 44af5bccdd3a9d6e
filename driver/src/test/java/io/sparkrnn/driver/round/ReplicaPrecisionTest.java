package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.tensor.Precision;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code train.precision} reaches the trainer of every replica, for both model families; float32 by default. */
class ReplicaPrecisionTest {
    private static Precision precisionOf(ReplicaSetup setup) {
        String run = UUID.randomUUID().toString();
        try {
            return Replica.get(run, 1, setup, 4).trainer.precision();
        } finally {
            Replica.release(run);
        }
    }

    @Test
    void theSetupsPrecisionReachesTheTrainer() {
        TbpttConfig tbptt = TbpttConfig.of(5, 1.0, 3);
        Seq2SeqSpec s2s = Seq2SeqSpec.of(9, 8, 4, CellType.GRU, 5, 1, false, Attention.DOT, false);
        for (Precision p : Precision.values()) {
            assertEquals(p, precisionOf(new ReplicaSetup(RoundTrainerTest.SPEC, OptimizerConfig.adam(),
                    LrSchedule.constant(0.01), tbptt, 2, p)));
            assertEquals(p, precisionOf(new ReplicaSetup(s2s, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                    tbptt, 1, p)));
        }
        assertEquals(Precision.FLOAT32, precisionOf(new ReplicaSetup(RoundTrainerTest.SPEC, OptimizerConfig.sgd(),
                LrSchedule.constant(0.01), tbptt)));
    }
}
