package io.sparkrnn.driver.corpus.batching;

import io.sparkrnn.driver.corpus.classify.LabelledText;
import io.sparkrnn.driver.corpus.tagging.TaggedSentence;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * One encoded example: input ids, and either per-step target ids ({@code targets}, same length; tagging) or one
 * class id ({@code label}; classification, {@code targets == null}).
 */
public record Encoded(int[] tokens, int[] targets, int label) implements Serializable {
    /** The target of a step that adds nothing to the loss or the counts (padding; a word's later pieces). */
    public static final int IGNORE = -100;

    public int length() {
        return tokens.length;
    }

    /**
     * Tagged sentences as the ids of their words' byte-pair-encoding pieces: a word's tag is the target of its first
     * piece, its other pieces' target is {@link #IGNORE} (a word-level tagger's accuracy, counted per word). Unknown
     * pieces and tags map to their vocabulary's UNK ({@link Vocabulary#encode}).
     */
    public static JavaRDD<Encoded> tagging(JavaRDD<TaggedSentence> sentences, Bpe bpe, Vocabulary pieces,
            Vocabulary tags) {
        return sentences.map(s -> {
            List<String> p = new ArrayList<>();
            List<Integer> t = new ArrayList<>();
            int[] tagIds = tags.encode(s.tags());
            for (int w = 0; w < s.tokens().length; w++) {
                String[] cut = bpe.encode(s.tokens()[w]);
                for (int i = 0; i < cut.length; i++) {
                    p.add(cut[i]);
                    t.add(i == 0 ? tagIds[w] : IGNORE);
                }
            }
            return new Encoded(pieces.encode(p.toArray(String[]::new)), t.stream().mapToInt(Integer::intValue)
                    .toArray(), -1);
        });
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
     * truncates), with the label's id. An unknown token maps to the word vocabulary's UNK; a label the labels do
     * not hold to -1 (the labels are exactly those of the training texts; models saved before this kept an
     * {@code <unk>} label first, and an unknown label maps to it); empty texts are dropped.
     */
    public static JavaRDD<Encoded> classification(JavaRDD<LabelledText> docs, Function<String, String[]> tokens,
            Vocabulary words, Vocabulary labels) {
        return docs.map(d -> new Encoded(words.encode(tokens.call(d.text())), null, labels.id(d.label())))
                .filter(e -> e.length() > 0);
    }
}
