package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** Pairs grouped by source in local[2]: one entry per source with all its (unframed) targets. */
class Seq2SeqReferencesTest {
    @Test
    void groupsEveryTargetOfASourceAcrossPartitions() {
        // framed targets: 1 = <bos>, 2 = <eos>; source {5, 6} has three pronunciations in different partitions
        List<EncodedPair> pairs = List.of(new EncodedPair(new int[] {5, 6}, new int[] {1, 10, 11, 2}),
                new EncodedPair(new int[] {7}, new int[] {1, 12, 2}),
                new EncodedPair(new int[] {5, 6}, new int[] {1, 10, 13, 2}),
                new EncodedPair(new int[] {6, 5}, new int[] {1, 14, 2}),
                new EncodedPair(new int[] {5, 6}, new int[] {1, 15, 2}));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("Seq2SeqReferencesTest")
                .set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            List<Seq2SeqReferences> grouped = Seq2SeqReferences.group(sc.parallelize(pairs, 3)).collect();
            Map<String, List<String>> bySource = new TreeMap<>();
            for (Seq2SeqReferences g : grouped) {
                bySource.put(Arrays.toString(g.source()), g.references().stream().map(Arrays::toString).sorted()
                        .collect(Collectors.toList()));
            }
            assertEquals(Map.of("[5, 6]", List.of("[10, 11]", "[10, 13]", "[15]"), "[6, 5]", List.of("[14]"),
                    "[7]", List.of("[12]")), bySource);
        }
    }
}
