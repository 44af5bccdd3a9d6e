package io.sparkrnn.engine.io.pytorch;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.engine.io.SafeTensors;
import io.sparkrnn.engine.io.Seq2SeqExportConfig;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a sequence model for PyTorch into a folder: {@code model.safetensors} (float32, the names of
 * {@code model.py}'s module: {@code embedding.weight}, {@code rnn.weight_ih_l0[_reverse]} ..., {@code head.weight},
 * {@code head.bias}, which are already our layout's names and shapes), {@code config.json} (the spec, format
 * {@value #FORMAT} version {@value #VERSION}) and {@code model.py} (a module built from config.json and a
 * {@code load(folder)} function that needs torch only). Encoder-decoder models are written the same way, with
 * their own weight names ({@code src_embedding.weight}, {@code encoder.*}, {@code bridge.*}, ..., {@code out.bias})
 * and config fields, for model.py's {@code Seq2SeqModel}.
 */
public final class TorchExport {
    public static final String FORMAT = "spark-rnn-pytorch";
    public static final int VERSION = 1;
    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String MODULE = "model.py";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TorchExport() {
    }

    /** The config.json of a spec; {@code extra} (task, files) is stored under {@code "spark_rnn"}. */
    public static ObjectNode config(SequenceSpec spec, Map<String, String> extra) {
        ObjectNode c = JSON.createObjectNode();
        c.put("format", FORMAT);
        c.put("version", VERSION);
        c.put("cell", switch (spec.cell()) {
            case LSTM -> "lstm";
            case GRU -> "gru";
            case RNN_TANH -> "rnn";
        });
        c.put("vocab_size", spec.vocabSize());
        c.put("embedding_dim", spec.tokenInput() ? spec.embeddingDim() : 0);
        c.put("padding_idx", spec.paddingId());
        c.put("feature_size", spec.featureSize());
        c.put("hidden_size", spec.hiddenSize());
        c.put("num_layers", spec.numLayers());
        c.put("bidirectional", spec.bidirectional());
        c.put("dropout", spec.dropout());
        c.put("topology", spec.topology().name().toLowerCase(Locale.ROOT));
        if (spec.pooling() == null) {
            c.putNull("pooling");
        } else {
            c.put("pooling", spec.pooling().name().toLowerCase(Locale.ROOT));
        }
        c.put("output_size", spec.outputSize());
        c.put("loss", spec.loss() == SequenceSpec.Loss.MSE ? "mse" : "cross_entropy");
        ObjectNode e = c.putObject("spark_rnn");
        extra.forEach(e::put);
        return c;
    }

    /**
     * Writes an encoder-decoder model's three files into {@code dir} (which must exist): the weights under the
     * names of model.py's {@code Seq2SeqModel} (our layout's names and shapes), and config.json with
     * {@code "model": "seq2seq"} ({@link Seq2SeqExportConfig}; {@code unkId} is the source vocabulary's, or -1).
     * With tied embeddings the one matrix is written twice, as {@code tgt_embedding.weight} and {@code out.weight},
     * so that model.py's module loads it as it loads an untied model.
     */
    public static void write(Path dir, Seq2SeqSpec spec, FlatParams params, int unkId, Map<String, String> extra)
            throws IOException {
        String config = Seq2SeqExportConfig.text(Seq2SeqExportConfig.of(FORMAT, VERSION, spec, unkId, extra));
        if (!spec.tieEmbeddings()) {
            writeFiles(dir, params, config);
            return;
        }
        LinkedHashMap<String, INDArray> tensors = new LinkedHashMap<>();
        for (ParamLayout.Entry e : params.layout().entries()) {
            if (e.name().equals("out.bias")) {
                tensors.put("out.weight", params.view("tgt_embedding.weight").castTo(DataType.FLOAT));
            }
            tensors.put(e.name(), params.view(e.name()).castTo(DataType.FLOAT));
        }
        SafeTensors.writeTensors(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        writeText(dir, config);
    }

    /** Writes the three files into {@code dir} (which must exist). */
    public static void write(Path dir, SequenceSpec spec, FlatParams params, Map<String, String> extra)
            throws IOException {
        writeFiles(dir, params, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config(spec, extra)) + "\n");
    }

    private static void writeFiles(Path dir, FlatParams params, String config) throws IOException {
        FlatParams f32 = params.dataType() == DataType.FLOAT ? params
                : new FlatParams(params.layout(), params.flat().castTo(DataType.FLOAT));
        SafeTensors.writeParams(dir.resolve(WEIGHTS), f32, Map.of("format", "pt"));
        writeText(dir, config);
    }

    /** config.json and model.py. */
    private static void writeText(Path dir, String config) throws IOException {
        Files.writeString(dir.resolve(CONFIG), config, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MODULE), module(), StandardCharsets.UTF_8);
    }

    /** The text of model.py. */
    public static String module() throws IOException {
        try (InputStream in = TorchExport.class.getResourceAsStream(MODULE)) {
            if (in == null) {
                throw new IOException("resource " + MODULE + " is missing beside " + TorchExport.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
