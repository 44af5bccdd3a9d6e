package io.sparkrnn.engine.io;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;

/**
 * A safetensors file read into memory by {@link SafeTensors#read}: its metadata, its tensor table in
 * data order, and one c-order array per tensor with the file's shape and dtype.
 */
public final class SafeTensorsFile {
    private final String sourceName;
    private final Map<String, String> metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, INDArray> arrays;

    SafeTensorsFile(String sourceName, Map<String, String> metadata, List<TensorInfo> tensors,
            Map<String, INDArray> arrays) {
        this.sourceName = sourceName;
        this.metadata = metadata;
        this.tensors = tensors;
        this.arrays = arrays;
    }

    /** The name given to the reader, used in error messages. */
    public String sourceName() {
        return sourceName;
    }

    /** The {@code __metadata__} map, in file order; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor table, ordered by data offset (for files written here, the order they were written in). */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return arrays.containsKey(name);
    }

    /**
     * The tensor {@code name}, with its shape and dtype. The array belongs to this object and is not
     * copied: writing it changes what {@link #copyInto} copies later.
     */
    public INDArray get(String name) {
        INDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException(sourceName + ": no tensor named '" + name + "'; the file has "
                    + tensors.stream().map(TensorInfo::name).collect(Collectors.toList()));
        }
        return a;
    }

    /**
     * Copies every tensor into its view of {@code target}, bit for bit. The file must hold exactly the
     * entries of the target's layout, with the same shapes and the target's dtype.
     */
    public void copyInto(FlatParams target) {
        ParamLayout layout = target.layout();
        int elem = SafeTensorsHeader.checkMatchesLayout(sourceName, tensors, layout, target.dataType());
        BytePointer base = NativeBytes.pointer(target.flat());
        for (ParamLayout.Entry e : layout.entries()) {
            base.position(e.offset() * elem);
            Pointer.memcpy(base, NativeBytes.pointer(arrays.get(e.name())), e.length() * elem);
        }
    }
}
