package io.sparkrnn.engine.train;

import io.sparkrnn.engine.model.ModelState;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.StepResult;
import io.sparkrnn.engine.param.FlatParams;

/** Evaluation of a language model on a token stream: mean cross-entropy with the state carried throughout. */
public final class StreamLoss {
    private StreamLoss() {
    }

    /**
     * Mean loss per predicted token (nats) over one pass of {@code stream}, cut into {@code lanes} lanes of
     * {@code steps}-step batches (the tail that does not fill a batch is left out).
     */
    public static double meanLoss(SequenceModel model, FlatParams params, int[] stream, int lanes, int steps) {
        TokenStreamBatcher b = new TokenStreamBatcher(stream, lanes, steps);
        ModelState state = model.initialState(lanes, params.dataType());
        double sum = 0;
        long n = 0;
        for (int i = 0; i < b.batchesPerEpoch(); i++) {
            StepResult r = model.loss(params, b.next(), state);
            sum += r.lossSum();
            n += r.count();
        }
        return sum / n;
    }

    /** {@link #meanLoss} in bits per token. */
    public static double bitsPerToken(SequenceModel model, FlatParams params, int[] stream, int lanes, int steps) {
        return meanLoss(model, params, stream, lanes, steps) / Math.log(2);
    }
}
