package io.sparkrnn.driver.corpus.tagging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.ClassCounts;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

/** The most-frequent-tag-per-word baseline fitted on three sentences and scored on three more. */
class MostFrequentTagTest extends SparkCorpusTest {
    private static TaggedSentence s(String words, String tags) {
        return new TaggedSentence(words.split(" "), tags.split(" "));
    }

    @Test
    void eachWordItsTrainingTagUnknownWordsTheCommonestTag() {
        JavaRDD<TaggedSentence> train = sc.parallelize(List.of(s("the dog runs", "DT NN VBZ"),
                s("the runs end", "DT NNS VBP"), s("dog runs fast", "NN VBZ RB")), 2);
        MostFrequentTag m = MostFrequentTag.fit(train);
        // runs: VBZ twice, NNS once; DT, NN and VBZ each twice overall: the first name, DT
        assertEquals(Map.of("the", "DT", "dog", "NN", "runs", "VBZ", "end", "VBP", "fast", "RB"),
                m.byWord().collectAsMap());
        assertEquals("DT", m.overall());
        Vocabulary tags = Vocabulary.fit(train.flatMap(x -> Arrays.asList(x.tags()).iterator()), 1,
                TaggingData.MAX_CLASSES, TaggingData.TAG_SPECIALS);
        // predicted DT NN VBZ | DT DT VBZ RB | VBP (a and cat unseen: DT): right 2 + 3 + 0 of 8 (JJ is no training tag: <unk>, an error)
        JavaRDD<TaggedSentence> valid = sc.parallelize(List.of(s("the dog runs", "DT NN NNS"),
                s("a cat runs fast", "DT NN VBZ RB"), s("end", "JJ")), 2);
        ClassCounts cc = m.counts(valid, tags);
        assertEquals(8, cc.total());
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        MostFrequentTag.toJson(cc, n, "valid_");
        assertEquals(5 / 8.0, n.get("valid_most_frequent_tag_accuracy").asDouble(), 1e-12);
        // F1: DT 0.8 (P 2/3, R 1), NN 2/3 (P 1, R 1/2), VBZ 2/3 (P 1/2, R 1), RB 1; NNS, <unk>, VBP 0
        assertEquals((0.8 + 2 / 3.0 + 2 / 3.0 + 1) / 7, n.get("valid_most_frequent_tag_macro_f1").asDouble(),
                1e-12);
    }
}
