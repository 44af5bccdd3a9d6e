package io.sparkrnn.engine.io;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types that have an ND4J counterpart. The constant names are the dtype strings
 * of the format (huggingface/safetensors {@code Dtype}); the 8-bit float types and the sub-byte types of
 * the format have no ND4J type and are refused as unsupported.
 */
enum Dtype {
    BOOL(DataType.BOOL, 1),
    U8(DataType.UBYTE, 1),
    I8(DataType.BYTE, 1),
    I16(DataType.SHORT, 2),
    U16(DataType.UINT16, 2),
    F16(DataType.HALF, 2),
    BF16(DataType.BFLOAT16, 2),
    I32(DataType.INT, 4),
    U32(DataType.UINT32, 4),
    F32(DataType.FLOAT, 4),
    I64(DataType.LONG, 8),
    U64(DataType.UINT64, 8),
    F64(DataType.DOUBLE, 8);

    /** The ND4J type of arrays read from a tensor of this dtype. */
    final DataType nd4j;
    /** Bytes per element. */
    final int size;

    Dtype(DataType nd4j, int size) {
        this.nd4j = nd4j;
        this.size = size;
    }

    /** The dtype called {@code name} in a header, or null when the name is not a supported dtype. */
    static Dtype forName(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The dtype that stores ND4J type {@code t} , or null when there is none. */
    static Dtype forNd4j(DataType t) {
        // FLOAT16, INT32, INT64, INT16, INT8 and UINT8 are aliases of HALF, INT, LONG, SHORT, BYTE, UBYTE.
        for (Dtype d : values()) {
            if (d.nd4j == t) {
                return d;
            }
        }
        return null;
    }

    /** The dtype that stores ND4J type {@code t}; {@code what} names the array in the error when there is none. */
    static Dtype require(DataType t, String what) {
        Dtype d = forNd4j(t);
        if (d == null) {
            throw new IllegalArgumentException(what + " has dtype " + t + ", which safetensors cannot store; supported: "
                    + names());
        }
        return d;
    }

    static List<String> names() {
        return Arrays.stream(values()).map(Enum::name).toList();
    }
}
