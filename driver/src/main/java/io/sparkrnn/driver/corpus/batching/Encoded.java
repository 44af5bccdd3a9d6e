package io.sparkrnn.driver.corpus.batching;

import io.sparkrnn.driver.corpus.TextPair;
import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * One encoded example: input ids, and either per-step target ids ({@code targets}, same length; tagging) or one
 * class id ({@code label}; classification, {@code targets == null}).
 */
public record Encoded(int[] tokens, int[] targets, int label) implements Serializable {
    public int length() {
        return tokens.length;
    }

    /**
     * Tagged sentences as word ids with tag ids. An unknown word or tag maps to its vocabulary's UNK, or fails when
     * that vocabulary has none ({@link Vocabulary#encode}).
     */
    public static JavaRDD<Encoded> tagging(JavaRDD<TaggedSentence> sentences, Vocabulary words, Vocabulary tags) {
        return sentences.map(s -> new Encoded(words.encode(s.tokens()), tags.encode(s.tags()), -1));
    }

    /**
     * Labelled texts cut into tokens by {@code tokens} (a {@link TokenUnit}'s split, or one that also lower-cases or
     * truncates), with the label's id. An unknown token or label maps to its vocabulary's UNK, or fails when that
     * vocabulary has none ({@link Vocabulary#encode}); empty texts are dropped.
     */
    public static JavaRDD<Encoded> classification(JavaRDD<LabelledText> docs, Function<String, String[]> tokens,
            Vocabulary words, Vocabulary labels) {
        return docs.map(d -> new Encoded(words.encode(tokens.call(d.text())), null, labels.encode(
                new String[] {d.label()})[0])).filter(e -> e.length() > 0);
    }

    /** Seq2seq pairs as source ids and target ids framed by BOS ... EOS (the decoder's input and output). */
    public static JavaRDD<EncodedPair> pairs(JavaRDD<TextPair> pairs, Vocabulary source, Vocabulary target) {
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

    /** An encoded seq2seq example; the target starts with BOS and ends with EOS. */
    public record EncodedPair(int[] source, int[] target) implements Serializable {
    }
}
