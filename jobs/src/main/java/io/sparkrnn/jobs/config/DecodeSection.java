package io.sparkrnn.jobs.config;

/**
 * The {@code decode.*} keys: how a seq2seq model decodes in the final evaluation, {@code evaluate} and
 * {@code predict}.
 *
 * @param beam           {@code decode.beam}: 1 = greedy only
 * @param alpha          {@code decode.alpha}: length normalisation of beam scores
 * @param maxLengthRatio {@code decode.max-length-ratio}: decoding stops after ceil(ratio * source length) tokens
 */
public record DecodeSection(int beam, double alpha, double maxLengthRatio) {

    static DecodeSection of(JobConfig c) {
        return new DecodeSection(c.getInt("decode.beam"), c.getDouble("decode.alpha"),
                c.getDouble("decode.max-length-ratio"));
    }
}
