package io.sparkrnn.engine.train;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceBatch;
import io.sparkrnn.engine.model.SequenceModel;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.tensor.Bf16Products;
import io.sparkrnn.engine.tensor.Precision;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The child process of {@link Bf16FallbackTest}: runs one bf16 step, then one float32 step, of
 * {@link Bf16StepTest}'s LSTM model on the same weights and batch (two bf16 steps, so that a second log line would
 * show), and prints {@code available <bool>}, {@code isa <name>} and the SHA-256 of each step's gradient
 * ({@code bf16 <hex>}, {@code float32 <hex>}) on stdout.
 */
final class Bf16FallbackMain {
    private Bf16FallbackMain() {
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        SequenceSpec spec = Bf16StepTest.spec(CellType.LSTM);
        FlatParams p = new SequenceModel(spec).initParams(5, DataType.FLOAT);
        SequenceBatch b = Bf16StepTest.batch(1);
        float[] bf16 = Bf16StepTest.gradient(spec, p, Precision.BF16, 1, b);
        Bf16StepTest.gradient(spec, p, Precision.BF16, 2, b);
        float[] f32 = Bf16StepTest.gradient(spec, p, Precision.FLOAT32, 1, b);
        System.out.println("available " + Bf16Products.available());
        System.out.println("isa " + Bf16Products.isa());
        System.out.println("bf16 " + sha256(bf16));
        System.out.println("float32 " + sha256(f32));
    }

    /** SHA-256 of the values' IEEE bits. */
    static String sha256(float[] values) throws NoSuchAlgorithmException {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length);
        for (float v : values) {
            bytes.putInt(Float.floatToRawIntBits(v));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    }
}
