package io.sparkrnn.bench;

import io.sparkrnn.driver.round.RoundTrainer;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The round's time outside local training as a function of the partitions P and the parameters N, fitted by least
 * squares to measured points, and its extrapolation to a cluster.
 *
 * <p>Measured on {@code local[cores]}: {@code T(P, N) = a + b P + c N + d P N}. a is the fixed cost of a round (jobs,
 * stages, the outer step's bookkeeping); b the driver's cost per task (scheduling it, receiving its status); c the
 * driver's cost per parameter (serializing the broadcast, receiving and reading the one partial sum, dividing,
 * clipping, the outer step); d the cost per partition and parameter of everything done for each partition (loading
 * the broadcast into the replica, extracting and serializing the delta, writing and reading it through the shuffle,
 * adding it into a partial sum), shared by the {@code cores} cores.
 */
record CostModel(double a, double b, double c, double d, double rmsResidual) {
    /** One measured configuration: partitions, parameters, median seconds outside local training per round. */
    record Point(int partitions, long parameters, double seconds) {
    }

    private static final List<ToDoubleFunction<Point>> TERMS = List.of(p -> 1.0, p -> p.partitions(),
            p -> p.parameters(), p -> (double) p.partitions() * p.parameters());

    /** The least-squares fit to at least four points (normal equations on columns scaled to unit norm). */
    static CostModel fit(List<Point> points) {
        int k = TERMS.size();
        if (points.size() < k) {
            throw new IllegalArgumentException("the cost model has " + k + " terms and needs at least " + k
                    + " points, found " + points.size());
        }
        double[] scale = new double[k];
        for (int j = 0; j < k; j++) {
            for (Point p : points) {
                double x = TERMS.get(j).applyAsDouble(p);
                scale[j] += x * x;
            }
            scale[j] = Math.sqrt(scale[j]);
        }
        double[][] m = new double[k][k + 1];
        for (Point p : points) {
            double[] x = new double[k];
            for (int j = 0; j < k; j++) {
                x[j] = TERMS.get(j).applyAsDouble(p) / scale[j];
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    m[i][j] += x[i] * x[j];
                }
                m[i][k] += x[i] * p.seconds();
            }
        }
        double[] beta = solve(m);
        for (int j = 0; j < k; j++) {
            beta[j] /= scale[j];
        }
        CostModel unscored = new CostModel(beta[0], beta[1], beta[2], beta[3], Double.NaN);
        double sq = 0;
        for (Point p : points) {
            double r = p.seconds() - unscored.seconds(p.partitions(), p.parameters());
            sq += r * r;
        }
        return new CostModel(beta[0], beta[1], beta[2], beta[3], Math.sqrt(sq / points.size()));
    }

    /** Gauss-Jordan elimination with partial pivoting on the augmented matrix {@code [A | y]}. */
    private static double[] solve(double[][] m) {
        int k = m.length;
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(m[pivot][col]) < 1e-12) {
                throw new IllegalArgumentException("the points do not determine the cost model's terms (they need at "
                        + "least two partition counts and two model sizes)");
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = 0; r < k; r++) {
                if (r != col) {
                    double f = m[r][col] / m[col][col];
                    for (int c = col; c <= k; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[k];
        for (int i = 0; i < k; i++) {
            x[i] = m[i][k] / m[i][i];
        }
        return x;
    }

    /** The fitted seconds outside local training for P partitions and N parameters, on the measured machine. */
    double seconds(int partitions, long parameters) {
        return a + b * partitions + c * parameters + d * (double) partitions * parameters;
    }

    /** The fit as one line. */
    String describe() {
        return String.format(Locale.ROOT, "T(P, N) = %.4g s + %.4g s * P + %.4g s * N + %.4g s * P * N  (RMS "
                + "residual %.3g s)", a, b, c, d, rmsResidual);
    }

    /**
     * The round overhead on a cluster of {@code executors} executors with one partition (one task) each, on a network
     * of {@code bytesPerSecond} per link, extrapolated from this fit measured on {@code cores} local cores. Assumptions:
     * <ul>
     *   <li>the fixed, per-task and per-parameter costs of the driver (a, b, c) are as measured here;</li>
     *   <li>the per-partition work (d, which {@code cores} cores shared here: d * cores * N seconds per partition)
     *       runs on the executors in parallel, and its critical path is one map task followed, at each of the tree's
     *       levels, by one aggregation task that takes in {@code fanIn} deltas or partial sums one after the other
     *       (an upper estimate: d includes the map side's work, which a reducer does not repeat);</li>
     *   <li>the network carries, one after the other: the broadcast (4 N bytes) down a binary tree of executors
     *       (TorrentBroadcast; ceil(log2 E) hops, a pessimistic bound), each level's {@code fanIn} inputs into one
     *       reducer's link (4 N bytes each at the first level, 8 N above it), and the last partial sum (8 N)
     *       into the driver; links run at their full rate and nothing else shares them.</li>
     * </ul>
     */
    ClusterEstimate cluster(int executors, long parameters, int cores, int fanIn, double bytesPerSecond) {
        double n = parameters;
        double driver = a + b * executors + c * n;
        double perPartition = d * cores * n;
        int hops = 64 - Long.numberOfLeadingZeros(Math.max(1, executors - 1));
        double compute = perPartition;
        double bytes = 4 * n * hops;
        int levels = 0;
        if (executors <= RoundTrainer.DRIVER_RESULTS) {
            bytes += 4 * n * executors;
        } else {
            // Level by level as RoundTrainer's tree: float deltas into the first level, double partials above it.
            long groups = executors;
            double inputBytes = 4 * n;
            while (groups > 1) {
                long inputs = Math.min(fanIn, groups);
                compute += perPartition * inputs;
                bytes += inputs * inputBytes;
                inputBytes = 8 * n;
                groups = (groups + fanIn - 1) / fanIn;
                levels++;
            }
            bytes += 8 * n;
        }
        return new ClusterEstimate(executors, parameters, levels, driver, compute, bytes / bytesPerSecond);
    }

    /** The parts of {@link #cluster}'s estimate, in seconds per round. */
    record ClusterEstimate(int executors, long parameters, int levels, double driver, double compute,
            double network) {
        double total() {
            return driver + compute + network;
        }
    }
}
