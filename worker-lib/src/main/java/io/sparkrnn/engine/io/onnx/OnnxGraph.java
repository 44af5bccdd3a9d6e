package io.sparkrnn.engine.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being built, serialised as a {@code ModelProto} (field numbers of onnx/onnx.proto, IR version
 * 7, the default operator set at {@link #OPSET}). Only what a recurrent model needs: nodes with int, float,
 * string and ints attributes, float/int64 initializers (raw little-endian data), and float/int32/int64 graph
 * inputs and outputs whose dimensions are numbers or names ({@code "batch"}).
 */
public final class OnnxGraph {
    /** The default-domain operator set the graph's nodes follow (LSTM/GRU/RNN of opset 14). */
    public static final int OPSET = 14;
    static final long IR_VERSION = 7;

    /** TensorProto.DataType values. */
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    /** Protobuf caps a message at 2 GiB; ONNX then needs external data, which this writer does not do. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 1_000_000L;

    private final String name;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private long initializerBytes;
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    /** A fresh value name {@code prefix_N}. */
    public String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    /** A node attribute value: Long, Integer, Float, Double, String or long[]. */
    public record Attr(String name, Object value) {
    }

    public static Attr attr(String name, Object value) {
        return new Attr(name, value);
    }

    /**
     * Adds a node; an empty string among {@code inputs} or {@code outputs} leaves an optional slot unused.
     * Returns the first output's name.
     */
    public String node(String opType, List<String> in, List<String> out, Attr... attrs) {
        ProtoWriter n = new ProtoWriter();
        int used = in.size();
        while (used > 0 && in.get(used - 1).isEmpty()) {
            used--;                                  // trailing optional inputs are simply left out
        }
        for (String i : in.subList(0, used)) {
            n.string(1, i);
        }
        for (String o : out) {
            n.string(2, o);
        }
        n.string(3, fresh(opType));
        n.string(4, opType);
        for (Attr a : attrs) {
            n.message(5, attribute(a));
        }
        nodes.add(n);
        return out.get(0);
    }

    /** A node with one output named {@code fresh(opType)}; returns that name. */
    public String op(String opType, List<String> in, Attr... attrs) {
        return node(opType, in, List.of(fresh(opType.toLowerCase(java.util.Locale.ROOT))), attrs);
    }

    private static ProtoWriter attribute(Attr a) {
        ProtoWriter w = new ProtoWriter().string(1, a.name());
        Object v = a.value();
        if (v instanceof Integer || v instanceof Long) {
            w.varint(3, ((Number) v).longValue()).varint(20, 2);
        } else if (v instanceof Float || v instanceof Double) {
            w.fixed32(2, ((Number) v).floatValue()).varint(20, 1);
        } else if (v instanceof String s) {
            w.string(4, s).varint(20, 3);
        } else if (v instanceof long[] ints) {
            for (long i : ints) {
                w.varint(8, i);
            }
            w.varint(20, 7);
        } else {
            throw new IllegalArgumentException("attribute " + a.name() + ": unsupported value type "
                    + (v == null ? "null" : v.getClass().getName()));
        }
        return w;
    }

    /** A float initializer of the given shape (row-major data); returns its name. */
    public String floats(String name, long[] dims, float[] data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return initializer(name, dims, FLOAT, b.array());
    }

    /** An int64 initializer (a scalar when {@code dims} is empty); returns its name. */
    public String longs(String name, long[] dims, long... data) {
        checkCount(name, dims, data.length);
        ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return initializer(name, dims, INT64, b.array());
    }

    private static void checkCount(String name, long[] dims, int n) {
        long expected = 1;
        for (long d : dims) {
            expected *= d;
        }
        if (expected != n) {
            throw new IllegalArgumentException("initializer " + name + ": shape " + java.util.Arrays.toString(dims)
                    + " holds " + expected + " values, found " + n);
        }
    }

    private String initializer(String name, long[] dims, int dataType, byte[] raw) {
        initializerBytes += raw.length;
        if (initializerBytes > MAX_BYTES) {
            throw new IllegalArgumentException("the model's weights exceed the 2 GiB a single ONNX file can hold "
                    + "without external data, found " + initializerBytes + " bytes at " + name);
        }
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, dataType).string(8, name).bytes(9, raw);
        initializers.add(t);
        return name;
    }

    /** Declares a graph input; each dim is a Long/Integer (fixed) or a String (named, e.g. "batch"). */
    public String input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return name;
    }

    /** Declares a graph output (an existing value's name). */
    public void output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
    }

    private static ProtoWriter valueInfo(String name, int elemType, Object[] dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.varint(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, elemType).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tensor);
        return new ProtoWriter().string(1, name).message(2, type);
    }

    /** The serialised ModelProto, with {@code metadata} as its metadata_props (in order). */
    public byte[] toModel(String producer, String producerVersion, String docString, Map<String, String> metadata) {
        ProtoWriter g = new ProtoWriter();
        for (ProtoWriter n : nodes) {
            g.message(1, n);
        }
        g.string(2, name);
        for (ProtoWriter t : initializers) {
            g.message(5, t);
        }
        for (ProtoWriter i : inputs) {
            g.message(11, i);
        }
        for (ProtoWriter o : outputs) {
            g.message(12, o);
        }
        ProtoWriter m = new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, producer)
                .string(3, producerVersion)
                .string(6, docString)
                .message(7, g)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return m.toByteArray();
    }
}
