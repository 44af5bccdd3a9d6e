package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;

/** An encoded seq2seq example; the target starts with BOS and ends with EOS. */
public record EncodedPair(int[] source, int[] target) implements Serializable {
    /** Seq2seq pairs as source ids and target ids framed by BOS ... EOS (the decoder's input and output). */
    public static JavaRDD<EncodedPair> encode(JavaRDD<TextPair> pairs, Vocabulary source, Vocabulary target) {
        if (target.size() <= Vocabulary.EOS_ID || !target.token(Vocabulary.BOS_ID).equals(Vocabulary.BOS)
                || !target.token(Vocabulary.EOS_ID).equals(Vocabulary.EOS)) {
            throw new IllegalArgumentException("the target vocabulary needs the default specials (" + Vocabulary.SPECIALS
                    + ") first");
        }
        return pairs.map(p -> {
            int[] t = target.encode(p.target());
            int[] framed = new int[t.length + 2];
            framed[0] = Vocabulary.BOS_ID;
            System.arraycopy(t, 0, framed, 1, t.length);
            framed[framed.length - 1] = Vocabulary.EOS_ID;
            return new EncodedPair(source.encode(p.source()), framed);
        });
    }
}
