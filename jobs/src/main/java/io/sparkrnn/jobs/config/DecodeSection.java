package io.sparkrnn.jobs.config;

import io.sparkrnn.engine.seq2seq.Seq2SeqDecoding;

/**
 * The {@code decode.*} keys: how a seq2seq model decodes in the final evaluation, {@code evaluate} and
 * {@code predict}.
 *
 * @param beam           {@code decode.beam}: 1 = greedy only
 * @param alpha          {@code decode.alpha}: length normalisation of beam scores
 * @param maxLengthRatio {@code decode.max-length-ratio}: decoding stops after ceil(ratio * source length) tokens
 * @param noRepeatNgram  {@code decode.no-repeat-ngram}: no n-gram of this length twice in an output; 0 = off
 */
public record DecodeSection(int beam, double alpha, double maxLengthRatio, int noRepeatNgram) {

    static DecodeSection of(JobConfig c) {
        return new DecodeSection(c.getInt("decode.beam"), c.getDouble("decode.alpha"),
                c.getDouble("decode.max-length-ratio"), c.getInt("decode.no-repeat-ngram"));
    }

    /** How the final evaluation, {@code evaluate} and {@code predict} decode. */
    public Seq2SeqDecoding.Settings settings() {
        return new Seq2SeqDecoding.Settings(beam, alpha, noRepeatNgram);
    }
}
