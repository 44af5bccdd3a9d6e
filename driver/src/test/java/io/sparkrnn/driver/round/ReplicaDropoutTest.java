package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Dropout masks are drawn per partition: partitions differ, a partition repeats itself exactly. */
class ReplicaDropoutTest {
    private static final int T = 5;
    private static final int B = 2;

    /** The same batch at every step. */
    private record Fixed(SequenceBatch b) implements SequencePartition {
        @Override
        public SequenceBatch batch(long step) {
            return b;
        }

        @Override
        public boolean startsSequence(long step) {
            return true;
        }

        @Override
        public long batchesPerEpoch() {
            return 1;
        }

        @Override
        public int batchSize() {
            return B;
        }
    }

    private static final Fixed DATA = new Fixed(SequenceBatch.alignedTokens(T, B,
            new int[] {1, 2, 3, 4, 5, 6, 0, 1, 2, 3}, new int[] {T, T}, new int[] {2, 3, 4, 5, 6, 0, 1, 2, 3, 4}));

    /** The parameters of partition {@code partition}'s replica after one SGD step from the same start. */
    private static float[] afterOneStep(String run, int partition, double dropout) {
        SequenceSpec spec = SequenceSpec.languageModel(7, 4, CellType.LSTM, 6, 2, dropout).withIoDropout(dropout);
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.sgd(), LrSchedule.constant(0.5),
                new TbpttConfig(T, T, ClipConfig.none(), 42));
        try {
            Replica r = Replica.get(run, partition, setup, B);
            r.trainer.params().flat().assign(spec.newModel().initParams(7, DataType.FLOAT).flat());
            r.startRound(null, B);
            r.step(DATA, 0);
            return r.trainer.params().flat().toFloatVector();
        } finally {
            Replica.release(run);
        }
    }

    @Test
    void partitionsDrawDifferentDropoutMasks() {
        assertFalse(java.util.Arrays.equals(afterOneStep("a", 0, 0.5), afterOneStep("b", 1, 0.5)),
                "partitions 0 and 1 stepped alike on the same batch: their dropout masks are the same");
    }

    @Test
    void aPartitionDrawsTheSameMasksInEveryRun() {
        assertArrayEquals(afterOneStep("c", 1, 0.5), afterOneStep("d", 1, 0.5));
    }

    @Test
    void withoutDropoutPartitionsStepAlike() {
        assertArrayEquals(afterOneStep("e", 0, 0.0), afterOneStep("f", 3, 0.0));
    }
}
