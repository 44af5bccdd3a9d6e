package io.sparkrnn.engine.io;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code config.json} part shared by the ONNX and PyTorch exports of an encoder-decoder model: sizes, cell,
 * attention and the special token ids, in snake_case as PyTorch and Hugging Face configs spell them.
 */
public final class Seq2SeqExportConfig {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Seq2SeqExportConfig() {
    }

    /**
     * The config of {@code spec} under {@code format} version {@code version}; {@code unkId} is the source
     * vocabulary's unknown-token id (-1 when it has none; the spec does not hold it); {@code extra} (task, files)
     * goes under {@code "spark_rnn"}.
     */
    public static ObjectNode of(String format, int version, Seq2SeqSpec spec, int unkId, Map<String, String> extra) {
        ObjectNode c = JSON.createObjectNode();
        c.put("format", format);
        c.put("version", version);
        c.put("model", "seq2seq");
        c.put("cell", switch (spec.cell()) {
            case LSTM -> "lstm";
            case GRU -> "gru";
            case RNN_TANH -> "rnn";
        });
        c.put("source_vocab_size", spec.sourceVocab());
        c.put("target_vocab_size", spec.targetVocab());
        c.put("source_embedding_dim", spec.sourceEmbedding());
        c.put("target_embedding_dim", spec.targetEmbedding());
        c.put("encoder_hidden_size", spec.encoderHidden());
        c.put("encoder_layers", spec.encoderLayers());
        c.put("bidirectional", spec.bidirectional());
        c.put("encoder_output_width", spec.encoderOutputWidth());
        c.put("decoder_hidden_size", spec.decoderHidden());
        c.put("decoder_layers", spec.decoderLayers());
        c.put("attention", spec.attention().name().toLowerCase(Locale.ROOT));
        c.put("input_feeding", spec.inputFeeding());
        c.put("dropout", spec.dropout());
        c.put("tie_embeddings", spec.tieEmbeddings());
        c.put("pad_id", spec.paddingId());
        c.put("bos_id", spec.beginId());
        c.put("eos_id", spec.endId());
        c.put("unk_id", unkId);
        c.put("max_source_length", spec.maxSourceLength());
        c.put("max_target_ratio", spec.maxTargetRatio());
        ObjectNode e = c.putObject("spark_rnn");
        extra.forEach(e::put);
        return c;
    }

    /** Pretty-printed JSON with a final newline. */
    public static String text(ObjectNode config) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a config tree as JSON", e);
        }
    }
}
