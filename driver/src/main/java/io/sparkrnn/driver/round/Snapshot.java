package io.sparkrnn.driver.round;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * What the driver sends at the start of a round (a broadcast, or a frame to resident tasks): the global
 * parameters, the inner learning-rate scale, each partition's recurrent state carried from the previous round,
 * (policy AVERAGE) the averaged inner optimizer state and (policy KEEP) the round whose kept state every partition
 * must continue from.
 * It is serialised through {@link Wire}, its vectors in bulk ({@link FloatWire}).
 *
 * @param keptRound the label of the kept state the round starts from: rounds completed when the driver last
 *                  took it (0 = fresh); a replica holding another label must not train on its state
 * @param kept      (policy KEEP) each partition's kept state, when the driver sends it (after a resume, a
 *                  rejected round, or a replica that held another round's state); a partition absent from it
 *                  starts fresh; null when the replicas' own state is to be used
 */
record Snapshot(long round, float[] params, double lrScale, Map<Integer, float[]> states,
        Map<String, float[]> innerState, long innerSteps, long keptRound, Map<Integer, KeptState> kept)
        implements Serializable {

    @Serial
    private Object writeReplace() {
        return new Wire(this);
    }

    /** The serialised form of a {@link Snapshot}. */
    private static final class Wire implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private transient Snapshot s;

        Wire(Snapshot s) {
            this.s = s;
        }

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.writeLong(s.round());
            FloatWire.write(out, s.params());
            out.writeDouble(s.lrScale());
            FloatWire.writeIndexed(out, s.states());
            FloatWire.writeNamed(out, s.innerState());
            out.writeLong(s.innerSteps());
            out.writeLong(s.keptRound());
            FloatWire.writeKeptByPartition(out, s.kept());
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException {
            s = new Snapshot(in.readLong(), FloatWire.read(in), in.readDouble(), FloatWire.readIndexed(in),
                    FloatWire.readNamed(in), in.readLong(), in.readLong(), FloatWire.readKeptByPartition(in));
        }

        @Serial
        private Object readResolve() {
            return s;
        }
    }
}
