package io.sparkrnn.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.cell.CellType;
import java.util.List;

/**
 * The {@code "spec"} object of a {@code "kind": "sequence"} {@code model.json} ({@link ModelJson} writes and checks
 * the envelope around it):
 *
 * <pre>
 *   "spec": {"vocabSize": 65, "embeddingDim": 32, "paddingId": -1, "featureSize": 0, "cell": "lstm",
 *            "hiddenSize": 256, "numLayers": 1, "bidirectional": false, "dropout": 0.0, "ioDropout": 0.0,
 *            "topology": "aligned", "pooling": null, "outputSize": 65, "loss": "cross_entropy",
 *            "ignoreIndex": -100}
 * </pre>
 *
 * {@code ioDropout} was added later: a document without it reads 0.
 */
final class SequenceSpecJson {
    private static final List<String> SPEC_KEYS = List.of("vocabSize", "embeddingDim", "paddingId", "featureSize",
            "cell", "hiddenSize", "numLayers", "bidirectional", "dropout", "topology", "pooling", "outputSize", "loss",
            "ignoreIndex");

    private SequenceSpecJson() {
    }

    static ObjectNode write(SequenceSpec spec) {
        ObjectNode s = ModelJson.newSpecObject();
        s.put("vocabSize", spec.vocabSize());
        s.put("embeddingDim", spec.embeddingDim());
        s.put("paddingId", spec.paddingId());
        s.put("featureSize", spec.featureSize());
        s.put("cell", ModelJson.lower(spec.cell()));
        s.put("hiddenSize", spec.hiddenSize());
        s.put("numLayers", spec.numLayers());
        s.put("bidirectional", spec.bidirectional());
        s.put("dropout", spec.dropout());
        s.put("ioDropout", spec.ioDropout());
        s.put("topology", ModelJson.lower(spec.topology()));
        if (spec.pooling() == null) {
            s.putNull("pooling");
        } else {
            s.put("pooling", ModelJson.lower(spec.pooling()));
        }
        s.put("outputSize", spec.outputSize());
        s.put("loss", ModelJson.lower(spec.loss()));
        s.put("ignoreIndex", spec.ignoreIndex());
        return s;
    }

    static SequenceSpec read(ModelJson.Fields f) {
        f.requireExactly(SPEC_KEYS, List.of("ioDropout"));
        try {
            return new SequenceSpec(
                    f.integer("vocabSize"),
                    f.integer("embeddingDim"),
                    f.integer("paddingId"),
                    f.integer("featureSize"),
                    f.choice("cell", CellType.class, false),
                    f.integer("hiddenSize"),
                    f.integer("numLayers"),
                    f.bool("bidirectional"),
                    f.number("dropout"),
                    f.choice("topology", SequenceSpec.Topology.class, false),
                    f.choice("pooling", SequenceSpec.Pooling.class, true),
                    f.integer("outputSize"),
                    f.choice("loss", SequenceSpec.Loss.class, false),
                    f.integer("ignoreIndex"),
                    f.number("ioDropout", 0.0));
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
    }
}
