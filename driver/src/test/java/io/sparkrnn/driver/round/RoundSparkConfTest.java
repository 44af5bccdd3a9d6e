package io.sparkrnn.driver.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class RoundSparkConfTest {

    @Test
    void resultsGoBackDirectlyUpToTheRpcLimitAndBroadcastsAreNotCompressed() {
        SparkConf conf = new SparkConf(false);
        assertSame(conf, RoundSparkConf.apply(conf));
        assertEquals("128m", conf.get("spark.task.maxDirectResultSize"));
        assertEquals(128L << 20, conf.getSizeAsBytes("spark.task.maxDirectResultSize"));
        assertEquals("false", conf.get("spark.broadcast.compress"));

        SparkConf larger = RoundSparkConf.apply(new SparkConf(false).set("spark.rpc.message.maxSize", "512"));
        assertEquals(512L << 20, larger.getSizeAsBytes("spark.task.maxDirectResultSize"));
    }

    @Test
    void theUsersOwnSettingsAreKept() {
        SparkConf conf = RoundSparkConf.apply(new SparkConf(false).set("spark.task.maxDirectResultSize", "4m")
                .set("spark.broadcast.compress", "true"));
        assertEquals("4m", conf.get("spark.task.maxDirectResultSize"));
        assertEquals("true", conf.get("spark.broadcast.compress"));
    }
}
