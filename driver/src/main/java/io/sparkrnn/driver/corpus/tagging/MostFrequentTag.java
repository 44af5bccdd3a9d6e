package io.sparkrnn.driver.corpus.tagging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.ClassCounts;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * The baseline a tagger is compared with: every word gets the tag it had most often in the training sentences, a
 * word not seen there the most frequent tag overall (ties: the first tag name). Scored as the model is, token
 * accuracy and macro F1 over the model's tags ({@link ClassCounts}; a tag unseen in training is {@code <unk>}, an
 * error), under the names {@code most_frequent_tag_accuracy} and {@code most_frequent_tag_macro_f1}.
 *
 * @param byWord each training word's most frequent tag
 * @param overall the most frequent tag of the training sentences
 */
public record MostFrequentTag(Map<String, String> byWord, String overall) implements Serializable {
    /** Counts the training sentences' (word, tag) pairs with Spark; only the per-word winners reach the driver. */
    public static MostFrequentTag fit(JavaRDD<TaggedSentence> train) {
        JavaPairRDD<Tuple2<String, String>, Long> pairs = train.flatMapToPair(s -> {
            List<Tuple2<Tuple2<String, String>, Long>> out = new ArrayList<>(s.length());
            for (int i = 0; i < s.length(); i++) {
                out.add(new Tuple2<>(new Tuple2<>(s.tokens()[i], s.tags()[i]), 1L));
            }
            return out.iterator();
        }).reduceByKey(Long::sum);
        Map<String, String> byWord = pairs.mapToPair(p -> new Tuple2<>(p._1()._1(), new Tuple2<>(p._1()._2(),
                p._2()))).reduceByKey(MostFrequentTag::better).mapValues(Tuple2::_1).collectAsMap();
        Tuple2<String, Long> overall = pairs.mapToPair(p -> new Tuple2<>(p._1()._2(), p._2())).reduceByKey(Long::sum)
                .reduce(MostFrequentTag::better);
        return new MostFrequentTag(new HashMap<>(byWord), overall._1());
    }

    /** The more frequent (tag, count); on a tie the first tag name. */
    private static Tuple2<String, Long> better(Tuple2<String, Long> a, Tuple2<String, Long> b) {
        int c = Long.compare(a._2(), b._2());
        return c > 0 || (c == 0 && a._1().compareTo(b._1()) <= 0) ? a : b;
    }

    /** The baseline's tag of {@code word}. */
    public String tag(String word) {
        return byWord.getOrDefault(word, overall);
    }

    /** The baseline's confusion matrix over {@code tags} on {@code sentences}, computed in the tasks. */
    public ClassCounts counts(JavaSparkContext sc, JavaRDD<TaggedSentence> sentences, Vocabulary tags) {
        Broadcast<MostFrequentTag> b = sc.broadcast(this);
        try {
            return sentences.mapPartitions(it -> {
                MostFrequentTag m = b.value();
                ClassCounts cc = new ClassCounts(tags.size());
                while (it.hasNext()) {
                    TaggedSentence s = it.next();
                    int[] truth = tags.encode(s.tags());
                    for (int i = 0; i < truth.length; i++) {
                        cc.add(truth[i], tags.id(m.tag(s.tokens()[i])));
                    }
                }
                return Collections.singletonList(cc).iterator();
            }).fold(new ClassCounts(tags.size()), ClassCounts::merge);
        } finally {
            b.destroy();
        }
    }

    /** Adds {@code most_frequent_tag_accuracy} and {@code most_frequent_tag_macro_f1} of {@code cc}. */
    public static void toJson(ClassCounts cc, ObjectNode n, String prefix) {
        n.put(prefix + "most_frequent_tag_accuracy", cc.accuracy());
        n.put(prefix + "most_frequent_tag_macro_f1", cc.macroF1());
    }
}
