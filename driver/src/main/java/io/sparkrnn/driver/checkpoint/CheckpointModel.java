package io.sparkrnn.driver.checkpoint;

import io.sparkrnn.engine.model.ModelJson;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpecJson;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.model.SequenceSpecJson;
import io.sparkrnn.engine.param.ParamLayout;
import io.sparkrnn.engine.seq2seq.Seq2SeqModel;
import java.util.Map;

/**
 * The two model kinds a checkpoint can hold, {@link SequenceSpec} ({@code "kind": "sequence"}) and
 * {@link Seq2SeqSpec} ({@code "kind": "seq2seq"}): their parameter layout and their {@code model.json}.
 */
final class CheckpointModel {
    private CheckpointModel() {
    }

    static ParamLayout layout(Record spec) {
        if (spec instanceof SequenceSpec s) {
            return new SequenceModel(s).layout();
        }
        return new Seq2SeqModel(seq2seq(spec)).layout();
    }

    static String toJson(Record spec, Map<String, String> provenance) {
        if (spec instanceof SequenceSpec s) {
            return SequenceSpecJson.toJson(s, provenance);
        }
        return Seq2SeqSpecJson.toJson(seq2seq(spec), provenance);
    }

    /** The spec of a {@code model.json} document of either kind. */
    static Record parse(String json, String source) {
        return ModelJson.KIND_SEQ2SEQ.equals(ModelJson.kindOf(json, source)) ? Seq2SeqSpecJson.parse(json, source)
                : SequenceSpecJson.parse(json, source);
    }

    /** "sequence" or "seq2seq". */
    static String kind(Record spec) {
        if (spec instanceof SequenceSpec) {
            return ModelJson.KIND_SEQUENCE;
        }
        seq2seq(spec);
        return ModelJson.KIND_SEQ2SEQ;
    }

    private static Seq2SeqSpec seq2seq(Record spec) {
        if (spec instanceof Seq2SeqSpec s) {
            return s;
        }
        throw new IllegalArgumentException("a checkpoint holds a SequenceSpec or a Seq2SeqSpec, found "
                + (spec == null ? "null" : spec.getClass().getName()));
    }
}
