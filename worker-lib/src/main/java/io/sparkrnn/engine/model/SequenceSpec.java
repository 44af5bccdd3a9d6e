package io.sparkrnn.engine.model;

import io.sparkrnn.engine.cell.CellType;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a sequence model is: input, recurrent stack and head. Immutable and validated when built; saved as
 * {@code model.json} of kind {@code "sequence"} beside the weights (see {@link ModelJson}).
 *
 * <p>Topologies: {@link Topology#ALIGNED} emits one output per time step (language model, tagger);
 * {@link Topology#POOLED} emits one output per sequence from the last valid step or the mean over valid steps
 * (classifier, regressor/forecaster). Encoder-decoder models are the other {@link ModelSpec}, {@link Seq2SeqSpec}.
 *
 * @param vocabSize     token vocabulary for embedding input, or 0 for float feature input
 * @param embeddingDim  embedding size (token input)
 * @param paddingId     padding token id whose embedding stays zero and gets no gradient, or -1
 * @param featureSize   float features per step (feature input), or 0
 * @param cell          recurrent cell
 * @param hiddenSize    state size per direction
 * @param numLayers     stacked recurrent layers
 * @param bidirectional whether each layer also runs backwards in time
 * @param dropout       dropout on the outputs of every recurrent layer but the last, in [0, 1)
 * @param topology      aligned (per step) or pooled (per sequence)
 * @param pooling       for pooled topology: last valid step or mean over valid steps
 * @param outputSize    classes (cross-entropy) or regression outputs (MSE)
 * @param loss          cross-entropy over classes or mean squared error
 * @param ignoreIndex   target id that adds nothing to the loss (cross-entropy)
 * @param ioDropout     dropout on the recurrent stack's input (embeddings or features) and output (what the head
 *                      reads), in [0, 1)
 */
public record SequenceSpec(
        int vocabSize,
        int embeddingDim,
        int paddingId,
        int featureSize,
        CellType cell,
        int hiddenSize,
        int numLayers,
        boolean bidirectional,
        double dropout,
        Topology topology,
        Pooling pooling,
        int outputSize,
        Loss loss,
        int ignoreIndex,
        double ioDropout) implements ModelSpec {

    /** Per-step or per-sequence outputs. */
    public enum Topology { ALIGNED, POOLED }

    /** How a pooled model reduces the output sequence. */
    public enum Pooling { LAST, MEAN }

    /** Training objective of the head. */
    public enum Loss { CROSS_ENTROPY, MSE }

    public SequenceSpec {
        if (cell == null || topology == null || loss == null) {
            throw new IllegalArgumentException("cell, topology and loss are required, found cell=" + cell
                    + ", topology=" + topology + ", loss=" + loss);
        }
        if (vocabSize < 0 || featureSize < 0 || (vocabSize > 0) == (featureSize > 0)) {
            throw new IllegalArgumentException("exactly one of vocabSize (token input) and featureSize (float input) "
                    + "must be positive, found vocabSize=" + vocabSize + ", featureSize=" + featureSize);
        }
        if (vocabSize > 0 && embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be positive, found " + embeddingDim);
        }
        if (paddingId < -1 || vocabSize > 0 && paddingId >= vocabSize) {
            throw new IllegalArgumentException("paddingId must be -1 or in [0, " + vocabSize + "), found " + paddingId);
        }
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("outputSize", outputSize);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
        if (!(ioDropout >= 0 && ioDropout < 1)) {
            throw new IllegalArgumentException("ioDropout must be in [0, 1), found " + ioDropout);
        }
        if (topology == Topology.POOLED && pooling == null) {
            throw new IllegalArgumentException("a pooled model needs pooling LAST or MEAN, found none");
        }
        if (topology == Topology.ALIGNED) {
            pooling = null;
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, found " + v);
        }
    }

    @Override
    public String kind() {
        return ModelJson.KIND_SEQUENCE;
    }

    @Override
    public SequenceModel newModel() {
        return new SequenceModel(this);
    }

    /** {@code lstm bidirectional 2 x 128, 123,456 parameters}. */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s %s%d x %d, %,d parameters", cell.name().toLowerCase(Locale.ROOT),
                bidirectional ? "bidirectional " : "", numLayers, hiddenSize, layout().size());
    }

    @Override
    public <R> R match(Function<? super SequenceSpec, ? extends R> sequence,
            Function<? super Seq2SeqSpec, ? extends R> seq2seq) {
        return sequence.apply(this);
    }

    /** Input size of the first recurrent layer. */
    public int inputSize() {
        return vocabSize > 0 ? embeddingDim : featureSize;
    }

    /** Whether the model reads token ids (through an embedding) rather than float features. */
    public boolean tokenInput() {
        return vocabSize > 0;
    }

    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** This spec with dropout {@code rate} on the recurrent stack's input and output. */
    public SequenceSpec withIoDropout(double rate) {
        return new SequenceSpec(vocabSize, embeddingDim, paddingId, featureSize, cell, hiddenSize, numLayers,
                bidirectional, dropout, topology, pooling, outputSize, loss, ignoreIndex, rate);
    }

    /** Size of the recurrent stack's output per step: directions * hiddenSize. */
    public int outputWidth() {
        return directions() * hiddenSize;
    }

    /** A character or word language model: tokens in, next-token distribution out at every step. */
    public static SequenceSpec languageModel(int vocab, int embedding, CellType cell, int hidden, int layers,
            double dropout) {
        return new SequenceSpec(vocab, embedding, -1, 0, cell, hidden, layers, false, dropout, Topology.ALIGNED, null,
                vocab, Loss.CROSS_ENTROPY, -100, 0.0);
    }

    /** A (usually bidirectional) sequence tagger: a tag distribution at every step. */
    public static SequenceSpec tagger(int vocab, int embedding, int paddingId, CellType cell, int hidden, int layers,
            boolean bidirectional, double dropout, int tags) {
        return new SequenceSpec(vocab, embedding, paddingId, 0, cell, hidden, layers, bidirectional, dropout,
                Topology.ALIGNED, null, tags, Loss.CROSS_ENTROPY, -100, 0.0);
    }

    /** A sequence classifier: one class distribution per sequence. */
    public static SequenceSpec classifier(int vocab, int embedding, int paddingId, CellType cell, int hidden,
            int layers, boolean bidirectional, double dropout, Pooling pooling, int classes) {
        return new SequenceSpec(vocab, embedding, paddingId, 0, cell, hidden, layers, bidirectional, dropout,
                Topology.POOLED, pooling, classes, Loss.CROSS_ENTROPY, -100, 0.0);
    }

    /** A regressor / forecaster over float feature sequences: {@code outputs} values per sequence. */
    public static SequenceSpec regressor(int features, CellType cell, int hidden, int layers, boolean bidirectional,
            double dropout, Pooling pooling, int outputs) {
        return new SequenceSpec(0, 0, -1, features, cell, hidden, layers, bidirectional, dropout, Topology.POOLED,
                pooling, outputs, Loss.MSE, -100, 0.0);
    }
}
