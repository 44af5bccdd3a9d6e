package io.sparkrnn.driver.corpus.pairs;

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
 * @param source     source token ids
 * @param references reference target ids without {@code <bos>} and {@code <eos>}, at least one
 */
public record Seq2SeqReferences(int[] source, List<int[]> references) implements Serializable {

    /** The pairs grouped by source (framed targets, as {@code EncodedPair.encode} writes them). */
    public static JavaRDD<Seq2SeqReferences> group(JavaRDD<EncodedPair> pairs) {
        return pairs.mapToPair(p -> new Tuple2<>(Arrays.stream(p.source()).boxed().toList(),
                        Arrays.copyOfRange(p.target(), 1, p.target().length - 1)))
                .groupByKey()
                .map(g -> {
                    List<int[]> refs = new ArrayList<>();
                    g._2().forEach(refs::add);
                    return new Seq2SeqReferences(g._1().stream().mapToInt(Integer::intValue).toArray(), refs);
                });
    }
}
