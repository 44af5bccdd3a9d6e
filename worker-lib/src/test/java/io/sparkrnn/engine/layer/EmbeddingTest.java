package io.sparkrnn.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Lookup and gradient of the embedding by hand, in float32 (bulk row copies) and float64 (element access). */
class EmbeddingTest {
    @Test
    void lookupAndGradientSkipPaddingAndRowsBeforeTheTruncation() {
        Embedding e = new Embedding("embedding", 3, 2, 0);
        double[][] w = {{0, 0}, {1, 2}, {3, 4}};
        int[] ids = {2, 1, 0, 2};
        double[][] d = {{10, 20}, {30, 40}, {50, 60}, {70, 80}};
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray weight = Nd4j.createFromArray(w).castTo(dt);
            assertArrayEquals(new double[] {3, 4, 1, 2, 0, 0, 3, 4},
                    e.forward(weight, ids).castTo(DataType.DOUBLE).data().asDouble(), dt.toString());
            INDArray g = Nd4j.zeros(dt, 3, 2).assign(1);
            // from row 1: row 0 (id 2) is before the truncation, row 2 is the padding id
            e.backward(g, ids, Nd4j.createFromArray(d).castTo(dt), 1);
            assertArrayEquals(new double[] {1, 1, 31, 41, 71, 81}, g.castTo(DataType.DOUBLE).data().asDouble(),
                    dt.toString());
        }
    }

    /** Both float32 ways (one bulk copy of a small table, row by row for a large one) give the float64 gradient. */
    @Test
    void smallAndLargeTablesGetTheSameGradientAsFloat64() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int vocab : new int[] {6, 5_000}) {
            Embedding e = new Embedding("embedding", vocab, 4, 0);
            int[] ids = new int[40];
            double[][] d = new double[40][4];
            for (int n = 0; n < ids.length; n++) {
                ids[n] = r.nextInt(Math.min(vocab, 8)); // repeats, and the padding id 0
                for (int j = 0; j < 4; j++) {
                    d[n][j] = r.nextDouble() - 0.5;
                }
            }
            INDArray gd = Nd4j.zeros(DataType.DOUBLE, vocab, 4).assign(0.25);
            INDArray gf = Nd4j.zeros(DataType.FLOAT, vocab, 4).assign(0.25);
            e.backward(gd, ids, Nd4j.createFromArray(d), 3);
            e.backward(gf, ids, Nd4j.createFromArray(d).castTo(DataType.FLOAT), 3);
            assertArrayEquals(gd.data().asDouble(), gf.castTo(DataType.DOUBLE).data().asDouble(), 1e-6, "V " + vocab);
        }
    }
}
