package io.sparkrnn.driver.corpus.text;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaPairRDD;

/**
 * A warm start's vocabulary: the parent model's, whose ids (and so embedding and output rows) stay as they are,
 * and what happens to tokens of the new data that it lacks ({@code vocab.on-new-tokens}): {@code extend} appends
 * those that the vocabulary fitted on the new data holds (its minimum count and maximum size apply), in that
 * vocabulary's order; {@code unk} appends none. Tokens the resulting vocabulary lacks map to {@code <unk>} (words)
 * or are skipped (characters: their vocabulary has no {@code <unk>}), as in any run.
 *
 * @param parent the parent model's vocabulary
 * @param extend whether new tokens are appended
 */
public record VocabularyGrowth(Vocabulary parent, boolean extend) implements Serializable {

    /**
     * The vocabulary of the run and what the new data held that it lacks.
     *
     * @param vocabulary  the parent's tokens, then the appended ones
     * @param added       tokens appended ({@code extend})
     * @param unseenTypes distinct tokens of the new data that the vocabulary lacks
     * @param unseen      their occurrences: the tokens mapped to {@code <unk>} or skipped
     */
    public record Outcome(Vocabulary vocabulary, int added, long unseenTypes, long unseen) implements Serializable {
        /** Writes {@code tokens_added}, {@code unseen_token_types} and {@code unseen_tokens} into {@code n}. */
        public void toJson(ObjectNode n) {
            n.put("tokens_added", added);
            n.put("unseen_token_types", unseenTypes);
            n.put("unseen_tokens", unseen);
        }
    }

    /**
     * Grows the parent's vocabulary by {@code fitted} (the vocabulary a fresh run would fit on the new data) and
     * counts, in {@code counts} (each distinct token of the new data once, with its count), the tokens the result
     * lacks.
     */
    public Outcome apply(Vocabulary fitted, JavaPairRDD<String, Long> counts) {
        List<String> tokens = new ArrayList<>(parent.tokens());
        Set<String> have = new HashSet<>(tokens);
        int added = 0;
        if (extend) {
            for (String t : fitted.tokens()) {
                if (have.add(t)) {
                    tokens.add(t);
                    added++;
                }
            }
        }
        long[] n = counts.filter(c -> !have.contains(c._1())).map(c -> new long[] {1, c._2()})
                .fold(new long[2], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        return new Outcome(Vocabulary.of(tokens), added, n[0], n[1]);
    }
}
