package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.round.ReplicaSetup;
import io.sparkrnn.driver.round.RoundConfig;
import io.sparkrnn.driver.round.RoundMetrics;
import io.sparkrnn.driver.round.RoundTrainer;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.ClipConfig;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.train.TbpttConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The reader's partitions are what the round loop consumes: a small character LSTM learns from them. */
class LmTextReaderTrainingTest extends SparkCorpusTest {

    @Test
    void roundTrainerLearnsFromTheReadersPartitions() {
        int lanes = 8;
        int steps = 32;
        LmCorpus c = LmTextReader.read(sc, LmTextReaderTest.MOBY, LmOptions.chars().withPartitions(2, lanes, steps));
        int v = c.vocabulary().size();
        SequenceSpec spec = SequenceSpec.languageModel(v, 16, CellType.LSTM, 64, 1, 0.0);
        ReplicaSetup setup = new ReplicaSetup(spec, OptimizerConfig.adam(), LrSchedule.constant(0.01),
                new TbpttConfig(steps, steps, ClipConfig.none(), 1));
        float[] init = new SequenceModel(spec).initParams(3, DataType.FLOAT).flat().data().asFloat();
        List<RoundMetrics> ms;
        try (RoundTrainer t = new RoundTrainer(sc, setup, RoundConfig.defaults(10), init)) {
            ms = t.train(c.train(), 8, m -> { });
        }
        double first = ms.get(0).trainLoss();
        double last = ms.get(ms.size() - 1).trainLoss();
        System.out.printf("round loop on LmTextReader partitions: train loss %.3f -> %.3f nats (ln V = %.3f)%n", first,
                last, Math.log(v));
        assertEquals(2L * 10 * lanes * steps, ms.get(0).tokens());
        // the first round (10 local steps) already falls below uniform; after 80 steps a partition is well below
        // the sample's unigram entropy (3.1 nats); seeded, measured 3.637 -> 2.500
        assertTrue(first < Math.log(v), "first round loss " + first);
        assertTrue(last < 2.8, "last round loss " + last);
        c.unpersist();
    }
}
