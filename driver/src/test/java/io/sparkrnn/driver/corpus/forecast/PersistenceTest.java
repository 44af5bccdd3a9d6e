package io.sparkrnn.driver.corpus.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The persistence baseline (the last observed value over the horizon) and its errors on a hand-built series. */
class PersistenceTest {
    private static final float[] X = {10, 12, 11, 15, 14, 13};

    private static ForecastColumns columns(int window, int horizon) {
        return new ForecastColumns(List.of("date"), List.of("y"), List.of("y"), window, horizon, 2, List.of(), false,
                0, 0);
    }

    /** Every window of {@code X}: W inputs, then H targets. */
    private static ForecastData.Errors errors(ForecastColumns k, double modelOffset) {
        SeasonalNaive persistence = k.persistence();
        SeasonalNaive naive = k.naive();
        ForecastData.Errors e = ForecastData.Errors.NONE;
        for (int s = 0; s + k.window() + k.horizon() <= X.length; s++) {
            ForecastWindow w = new ForecastWindow(s, Arrays.copyOfRange(X, s, s + k.window()),
                    Arrays.copyOfRange(X, s + k.window(), s + k.window() + k.horizon()));
            for (int h = 0; h < k.horizon(); h++) {
                double truth = w.targets()[h];
                e = e.plus(truth, truth + modelOffset, naive.at(w, h, 0), persistence.at(w, h, 0));
            }
        }
        return e;
    }

    @Test
    void oneStepAheadOnSixValues() {
        // windows of 3 predict 15, 14, 13 from the last values 11, 15, 14: errors 4, 1, 1
        ForecastData.Errors e = errors(columns(3, 1), 0.5);
        assertEquals(3, e.count());
        assertEquals(2.0, e.persistenceMae(), 1e-12);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        e.toJson(n, "valid_");
        assertEquals(2.0, n.get("valid_persistence_mae").asDouble(), 1e-12);
        assertEquals(Math.sqrt((16 + 1 + 1) / 3.0), n.get("valid_persistence_rmse").asDouble(), 1e-12);
        assertEquals(0.5, n.get("valid_mae").asDouble(), 1e-12);
        assertEquals(0.25, n.get("valid_mae_vs_persistence").asDouble(), 1e-12);
        // season 2: 12 for 15, 11 for 14, 15 for 13: errors 3, 3, 2
        assertEquals(8 / 3.0, n.get("valid_seasonal_naive_mae").asDouble(), 1e-12);
    }

    @Test
    void theLastValueRepeatedOverTheHorizon() {
        // windows of 3 predict (15, 14) from 11 and (14, 13) from 15: errors 4, 3, 1, 2
        ForecastData.Errors e = errors(columns(3, 2), 0);
        assertEquals(4, e.count());
        assertEquals(2.5, e.persistenceMae(), 1e-12);
        assertEquals(Math.sqrt((16 + 9 + 1 + 4) / 4.0), Math.sqrt(e.persistenceSq() / e.count()), 1e-12);
        assertEquals(2, columns(3, 2).persistence().step(0));
        assertEquals(2, columns(3, 2).persistence().step(1));
    }
}
