package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import java.util.Locale;

/**
 * The keys only seq2seq reads: how pairs are read, and the decoder's shape (its {@link Seq2SeqSpec} is
 * {@link JobSettings#seq2seqSpec}).
 *
 * @param alternates      {@code data.alternates}: keep CMUdict's WORD(n) alternate pronunciations
 * @param sourceTokens    {@code data.source-tokens}
 * @param targetTokens    {@code data.target-tokens}
 * @param sourceColumn    {@code data.source-column}
 * @param targetColumn    {@code data.target-column}
 * @param lowercase       {@code data.lowercase}: lower-case tsv, tsv-pairs and Parquet tokens (not cmudict)
 * @param maxSourceLength {@code data.max-source-length}
 * @param attention       {@code model.attention}
 * @param inputFeeding    {@code model.input-feeding}
 * @param decoderHidden   {@code model.decoder-hidden}: 0 = the encoder output width
 * @param decoderLayers   {@code model.decoder-layers}: 0 = {@code model.layers}
 * @param tieEmbeddings   {@code model.tie-embeddings}
 * @param labelSmoothing  {@code train.label-smoothing}
 * @param batchTokens     {@code train.batch-tokens}: 0 = batches of {@code train.batch} pairs
 * @param bpeMerges       {@code data.bpe-merges}: merges learned for a {@code bpe} side
 */
public record Seq2SeqSection(boolean alternates, TokenUnit sourceTokens, TokenUnit targetTokens, String sourceColumn,
        String targetColumn, boolean lowercase, int maxSourceLength, Seq2SeqSpec.Attention attention, boolean inputFeeding,
        int decoderHidden, int decoderLayers, boolean tieEmbeddings, double labelSmoothing, int batchTokens,
        int bpeMerges) {

    static Seq2SeqSection of(JobConfig c) {
        return new Seq2SeqSection(c.getBoolean("data.alternates"), Units.of(c, "data.source-tokens"),
                Units.of(c, "data.target-tokens"), c.getString("data.source-column"), c.getString("data.target-column"),
                c.getBoolean("data.lowercase"), c.getInt("data.max-source-length"),
                Seq2SeqSpec.Attention.valueOf(c.getChoice("model.attention").toUpperCase(Locale.ROOT)),
                c.getBoolean("model.input-feeding"), c.getInt("model.decoder-hidden"),
                c.getInt("model.decoder-layers"), c.getBoolean("model.tie-embeddings"),
                c.getDouble("train.label-smoothing"), c.getInt("train.batch-tokens"), c.getInt("data.bpe-merges"));
    }

    /** The decoder's hidden size H_d (the output layer's input width): {@code model.decoder-hidden}, or 0 = D * H_e. */
    int decoderHidden(ModelSection model) {
        return decoderHidden == 0 ? (model.bidirectional() ? 2 : 1) * model.hidden() : decoderHidden;
    }

    /**
     * The model for the given vocabulary sizes: the encoder from {@code model}, the decoder from this section
     * (0 = as the encoder), the length caps from {@code data.max-source-length} and {@code decode}, the training
     * regularisation ({@code model.dropout}, {@code model.io-dropout}, {@code train.label-smoothing}); throws
     * IllegalArgumentException for a shape that cannot work (dot attention with another decoder width, input
     * feeding without attention, tied embeddings of another width than the decoder's).
     */
    Seq2SeqSpec spec(ModelSection model, DecodeSection decode, int sourceVocab, int targetVocab) {
        int decLayers = decoderLayers == 0 ? model.layers() : decoderLayers;
        return new Seq2SeqSpec(sourceVocab, targetVocab, model.embedding(), model.embedding(), model.cell(),
                model.hidden(), model.layers(), model.bidirectional(), decoderHidden(model), decLayers,
                model.dropout(), attention, inputFeeding, Vocabulary.PAD_ID, Vocabulary.BOS_ID, Vocabulary.EOS_ID,
                maxSourceLength, decode.maxLengthRatio(), model.ioDropout(), labelSmoothing, tieEmbeddings);
    }
}
