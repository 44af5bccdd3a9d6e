package io.sparkrnn.driver.corpus.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** Pairs grouped by source in local[2]: one entry per source with all its targets, as ids and as text. */
class Seq2SeqReferencesTest {
    @Test
    void groupsEveryTargetOfASourceAcrossPartitions() {
        // source "a b" has three targets in different partitions; "z" is not in the source vocabulary
        List<TextPair> pairs = List.of(pair("a b", "x y"), pair("c", "w"), pair("a b", "x q"), pair("b a", "v"),
                pair("a b", "u"), pair("c z", "w"));
        List<String> specials = new ArrayList<>(Vocabulary.SPECIALS);
        Vocabulary src = Vocabulary.of(concat(specials, List.of("a", "b", "c")));
        Vocabulary tgt = Vocabulary.of(concat(specials, List.of("x", "y", "w", "v", "u")));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("Seq2SeqReferencesTest")
                .set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            List<Seq2SeqReferences> grouped = Seq2SeqReferences.group(sc.parallelize(pairs, 3), src, tgt, " ", " ",
                    Subwords.NONE).collect();
            Map<String, List<String>> bySource = new TreeMap<>();
            Map<String, List<String>> textsBySource = new TreeMap<>();
            for (Seq2SeqReferences g : grouped) {
                bySource.put(Arrays.toString(g.source()), g.references().stream().map(Arrays::toString).sorted()
                        .collect(Collectors.toList()));
                textsBySource.put(g.sourceText(), g.referenceTexts().stream().sorted().toList());
            }
            int a = src.id("a");
            int b = src.id("b");
            int c = src.id("c");
            int unk = src.id(Vocabulary.UNK);
            int x = tgt.id("x");
            assertEquals(Map.of(Arrays.toString(new int[] {a, b}), List.of(
                    Arrays.toString(new int[] {x, tgt.id(Vocabulary.UNK)}), Arrays.toString(new int[] {x, tgt.id("y")}),
                    Arrays.toString(new int[] {tgt.id("u")})),
                    Arrays.toString(new int[] {b, a}), List.of(Arrays.toString(new int[] {tgt.id("v")})),
                    Arrays.toString(new int[] {c}), List.of(Arrays.toString(new int[] {tgt.id("w")})),
                    Arrays.toString(new int[] {c, unk}), List.of(Arrays.toString(new int[] {tgt.id("w")}))),
                    bySource);
            // the texts are the tokens as read: "q" stays "q" although the vocabulary maps it to <unk>
            assertEquals(Map.of("a b", List.of("u", "x q", "x y"), "b a", List.of("v"), "c", List.of("w"), "c z",
                    List.of("w")), textsBySource);
        }
    }

    private static TextPair pair(String source, String target) {
        return new TextPair(source.split(" "), target.split(" "));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
