package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RoundMetricsTest {
    /**
     * The metrics.jsonl line, character for character as the String.format version wrote it (a line of a char-lm
     * run), so that lines replayed from older checkpoints and new lines read alike.
     */
    @Test
    void jsonLineKeepsTheFieldsOrderAndDecimals() {
        RoundMetrics m = new RoundMetrics(0, 0.25, 102400, 3.379119877400798, 78000.45, 9.116921859179847,
                9.116921859179847, false, false, 0, 0, 1.22104, 1.31276, 1.0);
        assertEquals("{\"round\":0,\"epoch\":0.2500,\"tokens\":102400,\"train_loss\":3.379119877400798,"
                + "\"tokens_per_sec\":78000.5,\"delta_norm\":9.116921859179847,\"delta_norm_clipped\":9.116921859179847,"
                + "\"clipped\":false,\"rejected\":false,\"rejections\":0,\"local_clips\":0,\"seconds_local\":1.2210,"
                + "\"seconds_outside\":0.0917,\"seconds_total\":1.3128,\"lr_scale\":1.0}", m.toJson().toString());
    }

    /** A rejected round's delta norm is not finite: null, as is any rounded field that is not finite. */
    @Test
    void valuesThatAreNotFiniteAreNull() {
        RoundMetrics m = new RoundMetrics(7, 1.5, 10, Double.NaN, 20, Double.NaN, 0.0, false, true, 1, 3, 0.5, 0.25,
                0.5);
        ObjectNode json = m.toJson();
        assertEquals("null", json.get("train_loss").toString());
        assertEquals("null", json.get("delta_norm").toString());
        assertEquals("0.0", json.get("delta_norm_clipped").toString());
        assertEquals("0.0000", json.get("seconds_outside").toString(), "max(0, total - local)");
        assertEquals(true, json.get("rejected").booleanValue());
        json.set("valid_bits_per_char", RoundMetrics.rounded(2.0000004, 6));
        json.set("valid_accuracy", RoundMetrics.rounded(Double.NaN, 6));
        assertEquals(",\"lr_scale\":0.5,\"valid_bits_per_char\":2.000000,\"valid_accuracy\":null}",
                json.toString().substring(json.toString().indexOf(",\"lr_scale\"")));
    }
}
