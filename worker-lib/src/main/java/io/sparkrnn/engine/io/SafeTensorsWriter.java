package io.sparkrnn.engine.io;

import static io.sparkrnn.engine.io.SafeTensors.METADATA_KEY;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes safetensors streams (see {@link SafeTensors}, the public entry points): the header of
 * {@link SafeTensorsHeader}, then the tensors' raw bytes in the caller's order, their offsets tiling the data buffer.
 * Nothing is written to the stream when the arguments fail validation.
 */
final class SafeTensorsWriter {
    private SafeTensorsWriter() {
    }

    /** {@link SafeTensors#write(OutputStream, FlatParams, Map)}: each layout entry's bytes straight from the vector. */
    static void write(OutputStream out, FlatParams params, Map<String, String> metadata) throws IOException {
        Dtype dt = Dtype.require(params.dataType(), "flat parameter vector");
        List<TensorInfo> infos = new ArrayList<>();
        long pos = 0;
        for (ParamLayout.Entry e : params.layout().entries()) {
            long bytes = Math.multiplyExact(e.length(), dt.size);
            infos.add(new TensorInfo(checkName(e.name()), dt.name(), e.shape(), pos, pos + bytes));
            pos += bytes;
        }
        writeHeader(out, infos, metadata);
        BytePointer base = NativeBytes.pointer(params.flat());
        byte[] chunk = NativeBytes.chunk(pos);
        for (ParamLayout.Entry e : params.layout().entries()) {
            NativeBytes.copyOut(base, e.offset() * dt.size, e.length() * dt.size, dt.size, out, chunk);
        }
    }

    /** {@link SafeTensors#write(OutputStream, LinkedHashMap, Map)}: each array's c-order bytes, in map order. */
    static void write(OutputStream out, LinkedHashMap<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<TensorInfo> infos = new ArrayList<>();
        List<INDArray> arrays = new ArrayList<>();
        long pos = 0;
        for (Map.Entry<String, INDArray> en : tensors.entrySet()) {
            String name = checkName(en.getKey());
            INDArray a = en.getValue();
            if (a == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            Dtype dt = Dtype.require(a.dataType(), "tensor '" + name + "'");
            INDArray c = cContiguous(a);
            long bytes = Math.multiplyExact(c.length(), dt.size);
            infos.add(new TensorInfo(name, dt.name(), c.shape(), pos, pos + bytes));
            arrays.add(c);
            pos += bytes;
        }
        writeHeader(out, infos, metadata);
        byte[] chunk = NativeBytes.chunk(pos);
        for (int i = 0; i < infos.size(); i++) {
            TensorInfo t = infos.get(i);
            if (t.byteLength() > 0) {
                int size = Dtype.valueOf(t.dtype()).size;
                NativeBytes.copyOut(NativeBytes.pointer(arrays.get(i)), 0, t.byteLength(), size, out, chunk);
            }
        }
    }

    private static void writeHeader(OutputStream out, List<TensorInfo> infos, Map<String, String> metadata)
            throws IOException {
        byte[] header = SafeTensorsHeader.encode(infos, metadata);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor names must be non-empty, found " + (name == null ? "null" : "''"));
        }
        if (name.equals(METADATA_KEY)) {
            throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved for metadata and cannot name a tensor");
        }
        return name;
    }

    /** {@code a} itself when its elements are contiguous in c order from element 0, else a c-order copy. */
    private static INDArray cContiguous(INDArray a) {
        if (a.isEmpty()) {
            return a;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return a.dup('c');
            }
            expected *= shape[i];
        }
        return a;
    }
}
