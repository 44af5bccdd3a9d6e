package io.sparkrnn.driver.corpus.tagging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.ClassCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The baseline a tagger is compared with: every word gets the tag it had most often in the training sentences, a
 * word not seen there the most frequent tag overall (ties: the first tag name). Scored as the model is, token
 * accuracy and macro F1 over the model's tags ({@link ClassCounts}; a tag unseen in training is {@code <unk>}, an
 * error), under the names {@code most_frequent_tag_accuracy} and {@code most_frequent_tag_macro_f1}. The per-word
 * tags stay in the tasks (the scored words are joined to them); only the overall tag and the counts reach the
 * driver.
 *
 * @param byWord each training word with its most frequent tag
 * @param overall the most frequent tag of the training sentences
 */
public record MostFrequentTag(JavaPairRDD<String, String> byWord, String overall) {
    /** Counts the training sentences' (word, tag) pairs with Spark. */
    public static MostFrequentTag fit(JavaRDD<TaggedSentence> train) {
        JavaPairRDD<Tuple2<String, String>, Long> pairs = train.flatMapToPair(s -> {
            List<Tuple2<Tuple2<String, String>, Long>> out = new ArrayList<>(s.length());
            for (int i = 0; i < s.length(); i++) {
                out.add(new Tuple2<>(new Tuple2<>(s.tokens()[i], s.tags()[i]), 1L));
            }
            return out.iterator();
        }).reduceByKey(Long::sum);
        JavaPairRDD<String, String> byWord = pairs.mapToPair(p -> new Tuple2<>(p._1()._1(), new Tuple2<>(p._1()._2(),
                p._2()))).reduceByKey(MostFrequentTag::better).mapValues(Tuple2::_1);
        Tuple2<String, Long> overall = pairs.mapToPair(p -> new Tuple2<>(p._1()._2(), p._2())).reduceByKey(Long::sum)
                .reduce(MostFrequentTag::better);
        return new MostFrequentTag(byWord, overall._1());
    }

    /** The more frequent (tag, count); on a tie the first tag name. */
    private static Tuple2<String, Long> better(Tuple2<String, Long> a, Tuple2<String, Long> b) {
        int c = Long.compare(a._2(), b._2());
        return c > 0 || (c == 0 && a._1().compareTo(b._1()) <= 0) ? a : b;
    }

    /** The baseline's confusion matrix over {@code tags} on {@code sentences}, computed in the tasks. */
    public ClassCounts counts(JavaRDD<TaggedSentence> sentences, Vocabulary tags) {
        String fallback = overall;
        int classes = tags.size();
        // (word, true tag id) of every scored token, with the word's training tag when it has one
        JavaPairRDD<String, Integer> truth = sentences.flatMapToPair(s -> {
            int[] ids = tags.encode(s.tags());
            List<Tuple2<String, Integer>> out = new ArrayList<>(ids.length);
            for (int i = 0; i < ids.length; i++) {
                out.add(new Tuple2<>(s.tokens()[i], ids[i]));
            }
            return out.iterator();
        });
        return truth.leftOuterJoin(byWord).values().mapPartitions(it -> {
            ClassCounts cc = new ClassCounts(classes);
            while (it.hasNext()) {
                var t = it.next();
                cc.add(t._1(), tags.id(t._2().orElse(fallback)));
            }
            return Collections.singletonList(cc).iterator();
        }).fold(new ClassCounts(classes), ClassCounts::merge);
    }

    /** Adds {@code most_frequent_tag_accuracy} and {@code most_frequent_tag_macro_f1} of {@code cc}. */
    public static void toJson(ClassCounts cc, ObjectNode n, String prefix) {
        n.put(prefix + "most_frequent_tag_accuracy", cc.accuracy());
        n.put(prefix + "most_frequent_tag_macro_f1", cc.macroF1());
    }
}
