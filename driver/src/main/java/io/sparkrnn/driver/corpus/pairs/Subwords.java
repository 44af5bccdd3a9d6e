package io.sparkrnn.driver.corpus.pairs;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.corpus.text.bpe.BpeLearner;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;

/**
 * The byte-pair encodings of a seq2seq model's sides ({@code data.source-tokens = bpe},
 * {@code data.target-tokens = bpe}), null for a side of whole tokens. Pairs are read, split and scored as words;
 * only what the model sees (vocabularies, ids, the source length limit) is in pieces, and outputs are joined back
 * into words ({@link Bpe#text}) before they are written or scored. The merges are stored with the model in
 * {@link #SOURCE} and {@link #TARGET}.
 *
 * @param source the source side's merges, or null
 * @param target the target side's merges, or null
 */
public record Subwords(Bpe source, Bpe target) implements Serializable {
    /** The merges file of the source side in a model folder. */
    public static final String SOURCE = "bpe-source.txt";
    /** The merges file of the target side in a model folder. */
    public static final String TARGET = "bpe-target.txt";
    /** Whole tokens on both sides. */
    public static final Subwords NONE = new Subwords(null, null);

    /**
     * The merges of the sides whose unit is {@link TokenUnit#BPE}: a warm start's parent's ({@code parents} by file
     * name), else {@code merges} merges learned on the words of the training pairs.
     */
    public static Subwords learn(JavaRDD<TextPair> train, Seq2SeqSettings.Reading r, int merges,
            Map<String, Bpe> parents) {
        Bpe s = r.sourceTokens() != TokenUnit.BPE ? null : parents.containsKey(SOURCE) ? parents.get(SOURCE)
                : BpeLearner.learn(train.flatMap(p -> Arrays.asList(p.source()).iterator()), merges);
        Bpe t = r.targetTokens() != TokenUnit.BPE ? null : parents.containsKey(TARGET) ? parents.get(TARGET)
                : BpeLearner.learn(train.flatMap(p -> Arrays.asList(p.target()).iterator()), merges);
        return new Subwords(s, t);
    }

    /**
     * The merges a model folder stores for the sides whose unit is {@link TokenUnit#BPE}; {@code file} gives a
     * file's text by name ({@code where} names the folder in messages).
     */
    public static Subwords read(Seq2SeqSettings.Reading r, Function<String, String> file, String where) {
        return new Subwords(r.sourceTokens() == TokenUnit.BPE ? Bpe.fromText(file.apply(SOURCE), where + "/" + SOURCE)
                : null, r.targetTokens() == TokenUnit.BPE ? Bpe.fromText(file.apply(TARGET), where + "/" + TARGET)
                : null);
    }

    /** The merges files to store with the model, by name. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        if (source != null) {
            f.put(SOURCE, source.toText().getBytes(StandardCharsets.UTF_8));
        }
        if (target != null) {
            f.put(TARGET, target.toText().getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }

    /** The model's source tokens of the source words. */
    public String[] source(String[] words) {
        return source == null ? words : source.encode(words);
    }

    /** The model's target tokens of the target words. */
    public String[] target(String[] words) {
        return target == null ? words : target.encode(words);
    }

    /** The pair as the model's tokens. */
    public TextPair apply(TextPair p) {
        return source == null && target == null ? p : new TextPair(source(p.source()), target(p.target()));
    }

    /** The text of the model's source tokens: pieces joined into words and the words by a space, else joined. */
    public String sourceText(String[] tokens, String join) {
        return source == null ? String.join(join, tokens) : Bpe.text(tokens);
    }

    /** The text of the model's target tokens, as {@link #sourceText}. */
    public String targetText(String[] tokens, String join) {
        return target == null ? String.join(join, tokens) : Bpe.text(tokens);
    }
}
