package io.sparkrnn.engine.model;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.util.Locale;
import java.util.function.Function;

/**
 * The architecture of an encoder-decoder model (Luong et al. 2015, "Effective Approaches to Attention-based
 * Neural Machine Translation"). Validated when built; saved as {@code model.json} of kind {@code "seq2seq"} (see
 * {@link ModelJson}). The other {@link ModelSpec} is {@link SequenceSpec}.
 *
 * @param sourceVocab       source vocabulary size V_s (ids in [0, V_s))
 * @param targetVocab       target vocabulary size V_t (ids in [0, V_t)), including the begin and end ids
 * @param sourceEmbedding   source embedding size E_s
 * @param targetEmbedding   target embedding size E_t
 * @param cell              the cell of both encoder and decoder
 * @param encoderHidden     encoder hidden size H_e per direction
 * @param encoderLayers     encoder layers L_e
 * @param bidirectional     whether the encoder reads the source in both directions (output width 2 H_e)
 * @param decoderHidden     decoder hidden size H_d
 * @param decoderLayers     decoder layers L_d
 * @param dropout           inverted dropout between stacked layers while training, in [0, 1)
 * @param attention         NONE, DOT (needs H_d = encoder output width) or GENERAL
 * @param inputFeeding      feed the attentional vector of step t-1 into the decoder at step t (needs attention)
 * @param paddingId         source and target padding id (its embedding rows get no gradient), or -1
 * @param beginId           target begin-of-sequence id (first decoder input)
 * @param endId             target end-of-sequence id (last target)
 * @param maxSourceLength   longest accepted source
 * @param maxTargetRatio    decoding stops after ceil(ratio * source length) tokens, &gt; 0
 * @param ioDropout         inverted dropout while training on the input of the encoder's and the decoder's first
 *                          layer (the embeddings, with input feeding also h~_{t-1}) and on the attentional vector
 *                          before the output layer, in [0, 1)
 * @param labelSmoothing    eps of the training loss (1 - eps) NLL + eps * mean over the target classes of -log p
 *                          (Szegedy et al. 2016), in [0, 1); evaluation losses are the plain NLL
 * @param tieEmbeddings     the output layer's weight is the target embedding (one tensor, {@code
 *                          tgt_embedding.weight}, no {@code out.weight}; Press and Wolf 2017); needs the output
 *                          layer's input width H_d equal to E_t
 */
public record Seq2SeqSpec(int sourceVocab, int targetVocab, int sourceEmbedding, int targetEmbedding, CellType cell,
        int encoderHidden, int encoderLayers, boolean bidirectional, int decoderHidden, int decoderLayers,
        double dropout, Attention attention, boolean inputFeeding, int paddingId, int beginId, int endId,
        int maxSourceLength, double maxTargetRatio, double ioDropout, double labelSmoothing, boolean tieEmbeddings)
        implements ModelSpec {

    /** Luong's global attention score functions: score(h, e) = h . e (DOT) or h . W_a e (GENERAL). */
    public enum Attention {
        NONE, DOT, GENERAL
    }

    public Seq2SeqSpec {
        positive("sourceVocab", sourceVocab);
        positive("targetVocab", targetVocab);
        positive("sourceEmbedding", sourceEmbedding);
        positive("targetEmbedding", targetEmbedding);
        positive("encoderHidden", encoderHidden);
        positive("encoderLayers", encoderLayers);
        positive("decoderHidden", decoderHidden);
        positive("decoderLayers", decoderLayers);
        positive("maxSourceLength", maxSourceLength);
        if (cell == null) {
            throw new IllegalArgumentException("cell must be one of lstm, gru, rnn, found none");
        }
        if (attention == null) {
            throw new IllegalArgumentException("attention must be one of NONE, DOT, GENERAL, found none");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
        if (!(ioDropout >= 0 && ioDropout < 1)) {
            throw new IllegalArgumentException("ioDropout must be in [0, 1), found " + ioDropout);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1), found " + labelSmoothing);
        }
        if (tieEmbeddings && decoderHidden != targetEmbedding) {
            throw new IllegalArgumentException("tieEmbeddings needs the output layer's input width decoderHidden ("
                    + decoderHidden + ") equal to targetEmbedding (" + targetEmbedding + ")");
        }
        if (!(maxTargetRatio > 0) || Double.isInfinite(maxTargetRatio)) {
            throw new IllegalArgumentException("maxTargetRatio must be positive and finite, found " + maxTargetRatio);
        }
        if (paddingId < -1 || paddingId >= Math.min(sourceVocab, targetVocab)) {
            throw new IllegalArgumentException("paddingId must be -1 or in [0, " + Math.min(sourceVocab, targetVocab)
                    + "), found " + paddingId);
        }
        inRange("beginId", beginId, targetVocab);
        inRange("endId", endId, targetVocab);
        if (beginId == endId || beginId == paddingId || endId == paddingId) {
            throw new IllegalArgumentException("beginId, endId and paddingId must differ, found " + beginId + ", "
                    + endId + ", " + paddingId);
        }
        if (attention == Attention.DOT && decoderHidden != encoderOutputWidthOf(encoderHidden, bidirectional)) {
            throw new IllegalArgumentException("DOT attention needs decoderHidden equal to the encoder output width ("
                    + encoderOutputWidthOf(encoderHidden, bidirectional) + "), found " + decoderHidden
                    + "; use GENERAL for differing sizes");
        }
        if (inputFeeding && attention == Attention.NONE) {
            throw new IllegalArgumentException("inputFeeding feeds the attentional vector and needs attention DOT or "
                    + "GENERAL, found NONE");
        }
    }

    /** A spec without io dropout, label smoothing or tied embeddings. */
    public Seq2SeqSpec(int sourceVocab, int targetVocab, int sourceEmbedding, int targetEmbedding, CellType cell,
            int encoderHidden, int encoderLayers, boolean bidirectional, int decoderHidden, int decoderLayers,
            double dropout, Attention attention, boolean inputFeeding, int paddingId, int beginId, int endId,
            int maxSourceLength, double maxTargetRatio) {
        this(sourceVocab, targetVocab, sourceEmbedding, targetEmbedding, cell, encoderHidden, encoderLayers,
                bidirectional, decoderHidden, decoderLayers, dropout, attention, inputFeeding, paddingId, beginId,
                endId, maxSourceLength, maxTargetRatio, 0.0, 0.0, false);
    }

    /** This spec with the given training regularisation: io dropout and label smoothing. */
    public Seq2SeqSpec withRegularisation(double ioDropout, double labelSmoothing) {
        return new Seq2SeqSpec(sourceVocab, targetVocab, sourceEmbedding, targetEmbedding, cell, encoderHidden,
                encoderLayers, bidirectional, decoderHidden, decoderLayers, dropout, attention, inputFeeding, paddingId,
                beginId, endId, maxSourceLength, maxTargetRatio, ioDropout, labelSmoothing, tieEmbeddings);
    }

    /** This spec with the output layer tied to the target embedding, or not. */
    public Seq2SeqSpec withTiedEmbeddings(boolean tie) {
        return new Seq2SeqSpec(sourceVocab, targetVocab, sourceEmbedding, targetEmbedding, cell, encoderHidden,
                encoderLayers, bidirectional, decoderHidden, decoderLayers, dropout, attention, inputFeeding, paddingId,
                beginId, endId, maxSourceLength, maxTargetRatio, ioDropout, labelSmoothing, tie);
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + v);
        }
    }

    private static void inRange(String name, int v, int vocab) {
        if (v < 0 || v >= vocab) {
            throw new IllegalArgumentException(name + " must be in [0, " + vocab + "), found " + v);
        }
    }

    private static int encoderOutputWidthOf(int hidden, boolean bidirectional) {
        return (bidirectional ? 2 : 1) * hidden;
    }

    @Override
    public String kind() {
        return ModelJson.KIND_SEQ2SEQ;
    }

    @Override
    public Seq2SeqModel newModel() {
        return new Seq2SeqModel(this);
    }

    /** {@code seq2seq lstm, encoder bidirectional 1 x 64, decoder 1 x 128, attention general with input feeding, ...}. */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "seq2seq %s, encoder %s%d x %d, decoder %d x %d, attention %s%s, "
                + "%s%,d parameters", cell.name().toLowerCase(Locale.ROOT), bidirectional ? "bidirectional " : "",
                encoderLayers, encoderHidden, decoderLayers, decoderHidden, attention.name().toLowerCase(Locale.ROOT),
                inputFeeding ? " with input feeding" : "", tieEmbeddings ? "tied target embeddings, " : "",
                layout().size());
    }

    @Override
    public <R> R match(Function<? super SequenceSpec, ? extends R> sequence,
            Function<? super Seq2SeqSpec, ? extends R> seq2seq) {
        return seq2seq.apply(this);
    }

    public int encoderDirections() {
        return bidirectional ? 2 : 1;
    }

    /** D * H_e, the width of the encoder's top-layer output (the attention memory). */
    public int encoderOutputWidth() {
        return encoderOutputWidthOf(encoderHidden, bidirectional);
    }

    /** Input size of the decoder's first layer: E_t, plus H_d with input feeding. */
    public int decoderInputSize() {
        return targetEmbedding + (inputFeeding ? decoderHidden : 0);
    }

    /** Longest decoded output for a source of {@code sourceLength} tokens: ceil(ratio * length), at least 1. */
    public int maxTargetLength(int sourceLength) {
        return Math.max(1, (int) Math.ceil(maxTargetRatio * sourceLength));
    }

    /**
     * A spec with shared sizes: embeddings E, encoder and decoder hidden H (per encoder direction; with a
     * bidirectional encoder and DOT attention the decoder gets 2H), L layers each, padding 0, begin 1, end 2.
     */
    public static Seq2SeqSpec of(int sourceVocab, int targetVocab, int embedding, CellType cell, int hidden,
            int layers, boolean bidirectional, Attention attention, boolean inputFeeding) {
        int dec = bidirectional && attention == Attention.DOT ? 2 * hidden : hidden;
        return new Seq2SeqSpec(sourceVocab, targetVocab, embedding, embedding, cell, hidden, layers, bidirectional,
                dec, layers, 0.0, attention, inputFeeding, 0, 1, 2, 200, 2.0);
    }
}
