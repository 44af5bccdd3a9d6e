package io.sparkrnn.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.cell.CellType;
import java.util.List;

/**
 * The {@code "spec"} object of a {@code "kind": "seq2seq"} {@code model.json} ({@link ModelJson} writes and checks
 * the envelope around it):
 *
 * <pre>
 *   "spec": {"sourceVocab": 30, "targetVocab": 42, "sourceEmbedding": 32, "targetEmbedding": 32,
 *            "cell": "lstm", "encoderHidden": 64, "encoderLayers": 1, "bidirectional": true,
 *            "decoderHidden": 64, "decoderLayers": 1, "dropout": 0.0, "attention": "general",
 *            "inputFeeding": true, "paddingId": 0, "beginId": 1, "endId": 2, "maxSourceLength": 200,
 *            "maxTargetRatio": 2.0, "ioDropout": 0.0, "labelSmoothing": 0.0, "tieEmbeddings": false}
 * </pre>
 * {@code ioDropout}, {@code labelSmoothing} and {@code tieEmbeddings} were added later: a document without them
 * reads 0, 0 and false.
 */
final class Seq2SeqSpecJson {
    private static final List<String> SPEC_KEYS = List.of("sourceVocab", "targetVocab", "sourceEmbedding",
            "targetEmbedding", "cell", "encoderHidden", "encoderLayers", "bidirectional", "decoderHidden",
            "decoderLayers", "dropout", "attention", "inputFeeding", "paddingId", "beginId", "endId",
            "maxSourceLength", "maxTargetRatio");
    private static final List<String> OPTIONAL = List.of("ioDropout", "labelSmoothing", "tieEmbeddings");

    private Seq2SeqSpecJson() {
    }

    static ObjectNode write(Seq2SeqSpec spec) {
        ObjectNode s = ModelJson.newSpecObject();
        s.put("sourceVocab", spec.sourceVocab());
        s.put("targetVocab", spec.targetVocab());
        s.put("sourceEmbedding", spec.sourceEmbedding());
        s.put("targetEmbedding", spec.targetEmbedding());
        s.put("cell", ModelJson.lower(spec.cell()));
        s.put("encoderHidden", spec.encoderHidden());
        s.put("encoderLayers", spec.encoderLayers());
        s.put("bidirectional", spec.bidirectional());
        s.put("decoderHidden", spec.decoderHidden());
        s.put("decoderLayers", spec.decoderLayers());
        s.put("dropout", spec.dropout());
        s.put("attention", ModelJson.lower(spec.attention()));
        s.put("inputFeeding", spec.inputFeeding());
        s.put("paddingId", spec.paddingId());
        s.put("beginId", spec.beginId());
        s.put("endId", spec.endId());
        s.put("maxSourceLength", spec.maxSourceLength());
        s.put("maxTargetRatio", spec.maxTargetRatio());
        s.put("ioDropout", spec.ioDropout());
        s.put("labelSmoothing", spec.labelSmoothing());
        s.put("tieEmbeddings", spec.tieEmbeddings());
        return s;
    }

    static Seq2SeqSpec read(ModelJson.Fields f) {
        f.requireExactly(SPEC_KEYS, OPTIONAL);
        try {
            return new Seq2SeqSpec(
                    f.integer("sourceVocab"),
                    f.integer("targetVocab"),
                    f.integer("sourceEmbedding"),
                    f.integer("targetEmbedding"),
                    f.choice("cell", CellType.class, false),
                    f.integer("encoderHidden"),
                    f.integer("encoderLayers"),
                    f.bool("bidirectional"),
                    f.integer("decoderHidden"),
                    f.integer("decoderLayers"),
                    f.number("dropout"),
                    f.choice("attention", Seq2SeqSpec.Attention.class, false),
                    f.bool("inputFeeding"),
                    f.integer("paddingId"),
                    f.integer("beginId"),
                    f.integer("endId"),
                    f.integer("maxSourceLength"),
                    f.number("maxTargetRatio"),
                    f.number("ioDropout", 0.0),
                    f.number("labelSmoothing", 0.0),
                    f.bool("tieEmbeddings", false));
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
    }
}
