package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * One source with every reference target the data holds for it (CMUdict with {@code data.alternates = true}:
 * all pronunciations of a word), so that an output is scored once per source against its closest reference
 * ({@link Seq2SeqScores}) rather than once per pair against that pair's own target.
 *
 * @param source         source token ids
 * @param references     reference target ids without {@code <bos>} and {@code <eos>}, at least one
 * @param sourceText     the source's tokens joined as text (the copy-the-source baseline of the translation
 *                       metrics); of several texts with the same ids, the first in string order
 * @param referenceTexts the references' tokens joined as text, as read (unknown tokens included), in the order
 *                       of {@code references}
 */
public record Seq2SeqReferences(int[] source, List<int[]> references, String sourceText, List<String> referenceTexts)
        implements Serializable {

    /**
     * The pairs as read (words for byte-pair encoding) cut by {@code subwords}, encoded with the vocabularies and
     * grouped by source ids; texts are the tokens as read joined with {@code sourceJoin} and {@code targetJoin}.
     */
    public static JavaRDD<Seq2SeqReferences> group(JavaRDD<TextPair> pairs, Vocabulary source, Vocabulary target,
            String sourceJoin, String targetJoin, Subwords subwords) {
        return pairs.mapToPair(p -> new Tuple2<>(Arrays.stream(source.encode(subwords.source(p.source()))).boxed()
                        .toList(), new Tuple2<>(target.encode(subwords.target(p.target())),
                                new String[] {String.join(sourceJoin, p.source()),
                                String.join(targetJoin, p.target())})))
                .groupByKey()
                .map(g -> {
                    List<int[]> refs = new ArrayList<>();
                    List<String> texts = new ArrayList<>();
                    String sourceText = null;
                    for (Tuple2<int[], String[]> t : g._2()) {
                        refs.add(t._1());
                        texts.add(t._2()[1]);
                        if (sourceText == null || t._2()[0].compareTo(sourceText) < 0) {
                            sourceText = t._2()[0];
                        }
                    }
                    return new Seq2SeqReferences(g._1().stream().mapToInt(Integer::intValue).toArray(), refs,
                            sourceText, texts);
                });
    }
}
