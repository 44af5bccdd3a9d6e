package io.sparkrnn.driver.corpus.lm;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.bad.BadReport;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.VocabularyGrowth;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.round.SequencePartition;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * A language-model corpus read by {@link LmTextReader}: cached training partitions for the round loop, the
 * validation streams, the vocabulary and the counts. Everything but the RDDs is small and lives in the driver.
 */
public final class LmCorpus {
    private final JavaRDD<SequencePartition> train;
    private final JavaRDD<int[]> validation;
    private final Vocabulary vocabulary;
    private final TokenUnit unit;
    private final long tokens;
    private final long trainTokens;
    private final long droppedTokens;
    private final long lines;
    private final long[] partitionTokens;
    private final int splits;
    private final BadReport bad;
    private VocabularyGrowth.Outcome growth;
    private Bpe bpe;

    LmCorpus(JavaRDD<SequencePartition> train, JavaRDD<int[]> validation, Vocabulary vocabulary, TokenUnit unit,
            long tokens, long trainTokens, long droppedTokens, long lines, long[] partitionTokens, int splits,
            BadReport bad) {
        this.train = train;
        this.validation = validation;
        this.vocabulary = vocabulary;
        this.unit = unit;
        this.tokens = tokens;
        this.trainTokens = trainTokens;
        this.droppedTokens = droppedTokens;
        this.lines = lines;
        this.partitionTokens = partitionTokens;
        this.splits = splits;
        this.bad = bad;
    }

    /** Records how a warm start's vocabulary came about (set once, by the reader). */
    LmCorpus withGrowth(VocabularyGrowth.Outcome outcome) {
        this.growth = outcome;
        return this;
    }

    /** Records the merges the words were cut with (set once, by the reader; null for characters and words). */
    LmCorpus withBpe(Bpe merges) {
        this.bpe = merges;
        return this;
    }

    /** The byte-pair-encoding merges the words were cut into pieces with; null for characters and words. */
    public Bpe bpe() {
        return bpe;
    }

    /** How a warm start's vocabulary came about ({@link LmOptions#growth}); null when the text's own was fitted. */
    public VocabularyGrowth.Outcome growth() {
        return growth;
    }

    /**
     * One {@link TokenStreamPartition} per partition, in corpus order (partition p holds training tokens
     * {@code [T p / P, T (p+1) / P)}), cached with {@link LmOptions#storage}: what {@code RoundTrainer.train}
     * consumes.
     */
    public JavaRDD<SequencePartition> train() {
        return train;
    }

    /**
     * The validation tokens (positions {@code [T, N)}) as up to {@code partitions} contiguous streams, one per
     * RDD partition in corpus order, cached serialized; empty when the validation fraction is 0.
     */
    public JavaRDD<int[]> validation() {
        return validation;
    }

    /**
     * The validation tokens concatenated in the driver, for evaluation there; refused (a {@link CorpusException})
     * when they are more than {@code maxTokens}, so a big corpus is never pulled in by accident.
     */
    public int[] validationTokens(int maxTokens) {
        long n = tokens - trainTokens;
        if (n > maxTokens) {
            throw new CorpusException("the validation part has " + n + " tokens, more than the " + maxTokens
                    + " that may be evaluated in the driver");
        }
        int[] out = new int[(int) n];
        int at = 0;
        for (int[] piece : validation.collect()) {
            System.arraycopy(piece, 0, out, at, piece.length);
            at += piece.length;
        }
        return out;
    }

    /** Occurrences of each vocabulary id in the training streams, counted in the tasks. */
    public long[] trainCounts() {
        int v = vocabulary.size();
        return train.map(p -> ((TokenStreamPartition) p).counts(v)).fold(new long[v], (a, b) -> {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        });
    }

    /** Corpus tokens, specials included, in corpus order: ids index it. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** For characters: the vocabulary's code points by id (the list {@link CharCorpus#vocabularyText} writes). */
    public List<Integer> codePoints() {
        if (unit != TokenUnit.CHARS) {
            throw new IllegalStateException("a word vocabulary has no code points");
        }
        List<Integer> cps = new ArrayList<>();
        for (String t : vocabulary.tokens()) {
            cps.add(t.codePointAt(0));
        }
        return cps;
    }

    /** The vocabulary file: {@code vocab-chars.txt} format for characters, {@link Vocabulary#toText} for words. */
    public String vocabularyText() {
        return unit == TokenUnit.CHARS ? CharCorpus.vocabularyText(codePoints()) : vocabulary.toText();
    }

    public TokenUnit unit() {
        return unit;
    }

    /** N: tokens of the whole corpus after encoding. */
    public long tokens() {
        return tokens;
    }

    /** T: tokens of the training part. */
    public long trainTokens() {
        return trainTokens;
    }

    /** N - T. */
    public long validationTokenCount() {
        return tokens - trainTokens;
    }

    /** Tokens left out because the vocabulary has no unknown token (characters below the minimum count). */
    public long droppedTokens() {
        return droppedTokens;
    }

    /** Lines decoded (bad ones excluded). */
    public long lines() {
        return lines;
    }

    /** Training tokens of each partition. */
    public long[] partitionTokens() {
        return partitionTokens.clone();
    }

    /** Max over min training tokens per partition. */
    public double imbalance() {
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long t : partitionTokens) {
            max = Math.max(max, t);
            min = Math.min(min, t);
        }
        return (double) max / min;
    }

    /** Read tasks (byte-range splits). */
    public int splits() {
        return splits;
    }

    /** Bad lines, by reason, with the first few as {@code file:line: reason}. */
    public BadReport bad() {
        return bad;
    }

    /** Drops the cached partitions and streams. */
    public void unpersist() {
        train.unpersist(false);
        validation.unpersist(false);
    }
}
