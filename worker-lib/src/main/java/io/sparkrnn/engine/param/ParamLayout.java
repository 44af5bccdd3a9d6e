package io.sparkrnn.engine.param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable layout of one flat parameter vector: an ordered list of named tensors, each with an
 * offset into the vector and a row-major shape. Weights, gradients, deltas and optimizer state all use
 * the same layout, so averaging, clipping and optimizer steps act element-wise on one vector.
 *
 * <p>Names follow PyTorch ({@code rnn.weight_ih_l0}, {@code rnn.weight_hh_l0_reverse},
 * {@code embedding.weight}, {@code head.bias}) so that the weight files load into PyTorch modules.
 */
public final class ParamLayout {

    /** One named tensor in the flat vector. */
    public record Entry(String name, long offset, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        /** Number of elements. */
        public long length() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.name.equals(name) && e.offset == offset && Arrays.equals(e.shape, shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + "@" + offset;
        }
    }

    private final List<Entry> entries;
    private final Map<String, Entry> byName;
    private final long size;

    private ParamLayout(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
        Map<String, Entry> m = new LinkedHashMap<>();
        long end = 0;
        for (Entry e : entries) {
            m.put(e.name(), e);
            end = e.offset() + e.length();
        }
        this.byName = Collections.unmodifiableMap(m);
        this.size = end;
    }

    /** Total number of scalars in the flat vector. */
    public long size() {
        return size;
    }

    public List<Entry> entries() {
        return entries;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry called {@code name}; an unknown name is an error that lists the known ones. */
    public Entry entry(String name) {
        Entry e = byName.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; known: " + byName.keySet());
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamLayout p && p.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "ParamLayout" + entries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Appends tensors in order; names must be unique and shapes positive. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final Map<String, Boolean> seen = new LinkedHashMap<>();
        private long offset;

        public Builder add(String name, long... shape) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("parameter name must be non-empty");
            }
            if (seen.put(name, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("duplicate parameter name '" + name + "'");
            }
            if (shape.length == 0) {
                throw new IllegalArgumentException("parameter '" + name + "' needs at least one dimension");
            }
            for (long d : shape) {
                if (d <= 0) {
                    throw new IllegalArgumentException("parameter '" + name + "' must have positive dimensions, found "
                            + Arrays.toString(shape));
                }
            }
            Entry e = new Entry(name, offset, shape);
            entries.add(e);
            offset += e.length();
            return this;
        }

        public ParamLayout build() {
            return new ParamLayout(entries);
        }
    }
}
