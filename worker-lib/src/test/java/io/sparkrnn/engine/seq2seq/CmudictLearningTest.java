package io.sparkrnn.engine.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.optim.GradientClipping;
import io.sparkrnn.engine.optim.Optimizer;
import io.sparkrnn.engine.optim.OptimizerConfig;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.testutil.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Learning on real data with a fixed step count (not timed): grapheme-to-phoneme conversion on the CMUdict sample
 * (6,082 lines), the same LSTM encoder-decoder trained twice, once with Luong GENERAL attention and input feeding
 * and once without attention, compared by greedy decoding on held-out words.
 *
 * <p>Data: alternate pronunciations ({@code WORD(1)} etc., 377 lines), the 5 entries not starting with a letter
 * and words of more than 12 characters are skipped, leaving 5,565 words. Stress digits are stripped, so the
 * targets are the 39 base phonemes. Source vocabulary: PAD 0, BOS 1, EOS 2 (as {@link Seq2SeqSpec#of} requires)
 * and the 30 characters found (A-Z, apostrophe, hyphen, period, underscore); target vocabulary: the same three
 * specials and the 39 phonemes. Split: fixed 90/10 by word ({@code java.util.Random(42)} shuffle), 5,008
 * training and 557 held-out words (3,416 reference phonemes).
 *
 * <p>Model: embeddings 32, one unidirectional LSTM layer of 64 in encoder and decoder, float32; Adam at a constant
 * 3e-3, global-norm clip 1.0 ({@link GradientClipping}), batches of 32 words, 500 steps (3.2 epochs).
 * Phoneme error rate (PER) = summed Levenshtein distance between greedy output and reference / reference
 * phonemes; word error rate (WER) = fraction of held-out words not exactly right.
 *
 * <p>Measured (2 shared cores, float32, 500 steps): attention PER 0.268 (914 edits), WER 0.761; no attention
 * PER 0.589 (2,012 edits), WER 0.971; ratio 0.45. After 200 steps: 0.343 / 0.865 against 0.798 / 0.998; after
 * 1,500 steps: 0.214 / 0.634 against 0.421 / 0.849, ratio 0.51, three times the time for the same verdict. (Hidden
 * 128 at 1,500 steps: 0.211 / 0.639 against 0.346 / 0.783.) The whole test takes about 20 s on an idle CI
 * machine. The assertions, attention PER at most 0.8x the no-attention PER and at most 0.32 (about 1.2x the
 * measured figure, the margin the 1,500-step bound had), leave a margin for numeric differences between machines.
 */
class CmudictLearningTest {
    static final int PAD = 0;                     // padding id, source and target (Seq2SeqSpec.of)
    static final int BOS = 1;                     // target begin id (Seq2SeqSpec.of)
    static final int EOS = 2;                     // target end id (Seq2SeqSpec.of)
    static final int FIRST = 3;                   // first id of a letter or phoneme
    static final int MAX_LETTERS = 12;            // longer words are skipped
    static final int EMBEDDING = 32;              // source and target embedding size
    static final int HIDDEN = 64;                 // encoder and decoder hidden size (one layer each)
    static final boolean BIDI = false;            // unidirectional encoder
    static final CellType CELL = CellType.LSTM;   // cell of encoder and decoder
    static final int BATCH = 32;                  // words per optimizer step
    static final double LR = 3e-3;                // Adam learning rate, constant
    static final double CLIP = 1.0;               // global L2 norm clip of the gradient
    static final int STEPS = 500;                 // optimizer steps per model (3.2 epochs)
    static final int EVAL_CHUNK = 256;            // held-out words per greedy decoding call
    static final long SEED = 42;                  // split shuffle; epoch shuffles use SEED + 1 + epoch
    static final long INIT_SEED = 1234;           // parameter initialisation, the same for both models
    static final double MAX_RATIO = 0.8;          // attention PER / no-attention PER; measured 0.45
    static final double MAX_ATTENTION_PER = 0.32; // measured 0.268

    /** One dictionary entry: the word's letters and its base phonemes (stress digits stripped). */
    record Entry(String word, String[] phonemes) {
    }

    @Test
    void attentionBeatsNoAttentionOnHeldOutWords() {
        List<Entry> all = read(Samples.path("cmudict/cmudict-sample.txt"));
        List<Entry> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(SEED));
        int nTrain = shuffled.size() * 9 / 10;
        List<Entry> train = shuffled.subList(0, nTrain);
        List<Entry> test = shuffled.subList(nTrain, shuffled.size());

        TreeSet<Character> letters = new TreeSet<>();
        TreeSet<String> phones = new TreeSet<>();
        for (Entry e : all) {
            for (char c : e.word().toCharArray()) {
                letters.add(c);
            }
            Collections.addAll(phones, e.phonemes());
        }
        Map<Character, Integer> letterId = new HashMap<>();
        letters.forEach(c -> letterId.put(c, FIRST + letterId.size()));
        Map<String, Integer> phoneId = new HashMap<>();
        phones.forEach(p -> phoneId.put(p, FIRST + phoneId.size()));
        List<int[][]> trainRows = encode(train, letterId, phoneId);
        List<int[][]> testRows = encode(test, letterId, phoneId);
        int srcVocab = FIRST + letters.size();
        int tgtVocab = FIRST + phones.size();
        System.out.printf("cmudict: %d words (%d train, %d held-out), %d letters %s, %d phonemes%n", all.size(),
                train.size(), test.size(), letters.size(), letters, phones.size());

        double[] att = trainAndEvaluate(Attention.GENERAL, true, srcVocab, tgtVocab, trainRows, testRows);
        double[] none = trainAndEvaluate(Attention.NONE, false, srcVocab, tgtVocab, trainRows, testRows);
        System.out.printf("cmudict: attention PER %.4f WER %.4f; no attention PER %.4f WER %.4f; PER ratio %.3f%n",
                att[0], att[1], none[0], none[1], att[0] / none[0]);
        assertEquals(39, phones.size(), "base phonemes");
        assertTrue(att[0] <= MAX_RATIO * none[0], "attention PER " + att[0] + " not at most " + MAX_RATIO
                + " x the no-attention PER " + none[0]);
        assertTrue(att[0] <= MAX_ATTENTION_PER, "attention PER " + att[0] + " above " + MAX_ATTENTION_PER);
    }

    /** Trains one model for STEPS steps and returns {PER, WER, seconds} on the held-out rows. */
    static double[] trainAndEvaluate(Attention attention, boolean feed, int srcVocab, int tgtVocab,
            List<int[][]> trainRows, List<int[][]> testRows) {
        Seq2SeqModel model = new Seq2SeqModel(
                Seq2SeqSpec.of(srcVocab, tgtVocab, EMBEDDING, CELL, HIDDEN, 1, BIDI, attention, feed));
        assertEquals(PAD, model.spec().paddingId(), "padding id");
        assertEquals(BOS, model.spec().beginId(), "begin id");
        assertEquals(EOS, model.spec().endId(), "end id");
        FlatParams params = model.initParams(INIT_SEED, DataType.FLOAT);
        FlatParams grads = params.zerosLike();
        Optimizer adam = OptimizerConfig.adam().create(params.layout().size(), DataType.FLOAT);
        long t0 = System.nanoTime();
        List<int[][]> epoch = new ArrayList<>();
        int e = 0;
        double lossSum = 0;
        long lossCount = 0;
        for (int s = 0; s < STEPS; s++) {
            if (epoch.size() < BATCH) {
                epoch = new ArrayList<>(trainRows);
                Collections.shuffle(epoch, new Random(SEED + 1 + e++));
            }
            List<int[]> src = new ArrayList<>();
            List<int[]> tgt = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                int[][] r = epoch.remove(epoch.size() - 1);
                src.add(r[0]);
                tgt.add(r[1]);
            }
            grads.flat().assign(0);
            StepResult r = model.lossAndGradient(params, grads, new Seq2SeqBatch(src, tgt), SEED + s);
            double norm = GradientClipping.clipByGlobalNorm(grads.flat(), CLIP);
            assertTrue(Double.isFinite(r.lossSum()) && Double.isFinite(norm), "step " + s + " not finite");
            adam.step(params.flat(), grads.flat(), LR);
            lossSum += r.lossSum();
            lossCount += r.count();
            if ((s + 1) % 250 == 0) {
                System.out.printf("cmudict %s: step %d, training loss %.3f (last 250 steps), %.0f s%n", attention,
                        s + 1, lossSum / lossCount, (System.nanoTime() - t0) / 1e9);
                lossSum = 0;
                lossCount = 0;
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        List<int[]> src = new ArrayList<>();
        List<int[]> ref = new ArrayList<>();
        testRows.forEach(r -> {
            src.add(r[0]);
            ref.add(r[1]);
        });
        Seq2SeqEvaluation.ErrorRates er = Seq2SeqEvaluation.greedy(model, params, src, ref, EVAL_CHUNK);
        long edits = er.edits();
        long refPhones = er.referenceTokens();
        long wrongWords = er.wrongSequences();
        double per = er.tokenErrorRate();
        double wer = er.sequenceErrorRate();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("cmudict %s: PER %.4f (%d edits / %d phonemes), WER %.4f (%d / %d words) after %d steps; "
                + "%.1f s training, %.1f s with evaluation%n", attention, per, edits, refPhones, wer, wrongWords,
                testRows.size(), STEPS, trainSeconds, seconds);
        return new double[] {per, wer, seconds};
    }

    /**
     * The entries of the sample: alternates ({@code WORD(1)}), words not starting with a letter and words of more
     * than MAX_LETTERS characters are skipped; stress digits are stripped from the phonemes.
     */
    static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        assertEquals(6082, lines.size(), "lines in the CMUdict sample");
        List<Entry> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int sep = line.indexOf("  ");
            if (sep <= 0) {
                throw new IllegalStateException(file + ":" + (n + 1) + ": expected 'WORD  PH1 PH2 ...', found '"
                        + line + "'");
            }
            String word = line.substring(0, sep);
            if (word.endsWith(")") || !Character.isLetter(word.charAt(0)) || word.length() > MAX_LETTERS) {
                continue;
            }
            String[] ph = line.substring(sep + 2).trim().split(" ");
            for (int i = 0; i < ph.length; i++) {
                ph[i] = ph[i].replaceAll("[012]$", "");
            }
            out.add(new Entry(word, ph));
        }
        return out;
    }

    /** Rows {@code {letterIds, phonemeIds}}. */
    static List<int[][]> encode(List<Entry> entries, Map<Character, Integer> letterId, Map<String, Integer> phoneId) {
        List<int[][]> rows = new ArrayList<>();
        for (Entry e : entries) {
            int[] src = e.word().chars().map(c -> letterId.get((char) c)).toArray();
            int[] tgt = new int[e.phonemes().length];
            for (int i = 0; i < tgt.length; i++) {
                tgt[i] = phoneId.get(e.phonemes()[i]);
            }
            rows.add(new int[][] {src, tgt});
        }
        return rows;
    }
}
