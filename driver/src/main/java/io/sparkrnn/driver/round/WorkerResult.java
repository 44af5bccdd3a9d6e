package io.sparkrnn.driver.round;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * What one task returns: its partition, delta = local - global parameters, the tokens it trained on (the
 * delta's weight), loss and step statistics, its final recurrent state (null when the model carries none),
 * (policy AVERAGE) its inner optimizer state and (policy KEEP) its kept state after the round; {@code seconds}
 * is the time of its H inner steps alone, {@code loadSeconds} the task's time before them (reading the broadcast
 * snapshot, loading it into the replica) and {@code extractSeconds} after them (the delta and the states taken out
 * of the replica). A {@code stale} result trained nothing: its replica did not hold the kept state the round starts
 * from, and the driver re-runs the round with the states sent. It is serialised through {@link Wire}, its vectors
 * in bulk ({@link FloatWire}).
 */
record WorkerResult(int partition, float[] delta, long tokens, double lossSum, int clippedSteps,
        int skippedSteps, double gradNormSum, int steps, float[] state, Map<String, float[]> innerState,
        long innerSteps, KeptState kept, boolean stale, double seconds, double loadSeconds,
        double extractSeconds) implements Serializable {

    /** The result of a partition whose replica holds another round's kept state (or none): a zero delta. */
    static WorkerResult stale(int partition, int parameters) {
        return new WorkerResult(partition, new float[parameters], 0, 0, 0, 0, 0, 0, null, null, 0, null, true, 0, 0,
                0);
    }

    @Serial
    private Object writeReplace() {
        return new Wire(this);
    }

    /** The serialised form of a {@link WorkerResult}. */
    private static final class Wire implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private transient WorkerResult r;

        Wire(WorkerResult r) {
            this.r = r;
        }

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.writeInt(r.partition());
            FloatWire.write(out, r.delta());
            out.writeLong(r.tokens());
            out.writeDouble(r.lossSum());
            out.writeInt(r.clippedSteps());
            out.writeInt(r.skippedSteps());
            out.writeDouble(r.gradNormSum());
            out.writeInt(r.steps());
            FloatWire.write(out, r.state());
            FloatWire.writeNamed(out, r.innerState());
            out.writeLong(r.innerSteps());
            FloatWire.writeKept(out, r.kept());
            out.writeBoolean(r.stale());
            out.writeDouble(r.seconds());
            out.writeDouble(r.loadSeconds());
            out.writeDouble(r.extractSeconds());
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException {
            r = new WorkerResult(in.readInt(), FloatWire.read(in), in.readLong(), in.readDouble(), in.readInt(),
                    in.readInt(), in.readDouble(), in.readInt(), FloatWire.read(in), FloatWire.readNamed(in),
                    in.readLong(), FloatWire.readKept(in), in.readBoolean(), in.readDouble(), in.readDouble(),
                    in.readDouble());
        }

        @Serial
        private Object readResolve() {
            return r;
        }
    }
}
