package io.sparkrnn.bench;

import io.sparkrnn.driver.round.RoundTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The round's time outside local training as a function of the partitions P and the parameters N, fitted by
 * non-negative least squares to measured points, and its extrapolation to a cluster.
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

    /**
     * The non-negative least-squares fit to at least four points: every term is a cost, so no coefficient may be
     * negative (an unconstrained fit to noisy timings can make one so, and a negative driver cost then extrapolates
     * to nonsense). Exact for four terms: the least-squares fit on every subset of the terms (normal equations on
     * columns scaled to unit norm), the best of those whose coefficients are all non-negative.
     */
    static CostModel fit(List<Point> points) {
        int k = TERMS.size();
        if (points.size() < k) {
            throw new IllegalArgumentException("the cost model has " + k + " terms and needs at least " + k
                    + " points, found " + points.size());
        }
        if (leastSquares(points, (1 << k) - 1) == null) {
            throw new IllegalArgumentException("the points do not determine the cost model's terms (they need at "
                    + "least two partition counts and two model sizes)");
        }
        double[] best = null;
        double bestSq = Double.POSITIVE_INFINITY;
        for (int mask = 1; mask < 1 << k; mask++) {
            double[] beta = leastSquares(points, mask);
            if (beta == null || Arrays.stream(beta).anyMatch(x -> x < 0)) {
                continue;
            }
            double sq = squaredResiduals(points, beta);
            if (sq < bestSq) {
                best = beta;
                bestSq = sq;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no fit with non-negative costs: the times fall as P or N grow");
        }
        return new CostModel(best[0], best[1], best[2], best[3], Math.sqrt(bestSq / points.size()));
    }

    /** The least-squares coefficients of the terms in {@code mask} (the others 0), or null where they are singular. */
    private static double[] leastSquares(List<Point> points, int mask) {
        int k = TERMS.size();
        int[] cols = java.util.stream.IntStream.range(0, k).filter(j -> (mask & (1 << j)) != 0).toArray();
        int n = cols.length;
        double[] scale = new double[n];
        for (int j = 0; j < n; j++) {
            for (Point p : points) {
                double x = TERMS.get(cols[j]).applyAsDouble(p);
                scale[j] += x * x;
            }
            scale[j] = Math.sqrt(scale[j]);
        }
        double[][] m = new double[n][n + 1];
        for (Point p : points) {
            double[] x = new double[n];
            for (int j = 0; j < n; j++) {
                x[j] = TERMS.get(cols[j]).applyAsDouble(p) / scale[j];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    m[i][j] += x[i] * x[j];
                }
                m[i][n] += x[i] * p.seconds();
            }
        }
        double[] sub = solve(m);
        if (sub == null) {
            return null;
        }
        double[] beta = new double[k];
        for (int j = 0; j < n; j++) {
            beta[cols[j]] = sub[j] / scale[j];
        }
        return beta;
    }

    private static double squaredResiduals(List<Point> points, double[] beta) {
        CostModel m = new CostModel(beta[0], beta[1], beta[2], beta[3], Double.NaN);
        double sq = 0;
        for (Point p : points) {
            double r = p.seconds() - m.seconds(p.partitions(), p.parameters());
            sq += r * r;
        }
        return sq;
    }

    /** Gauss-Jordan elimination with partial pivoting on the augmented matrix {@code [A | y]}; null if singular. */
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
                return null;
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
     * The executors' side of a round from the tasks' CPU time, which the load of a shared machine does not inflate
     * as it does wall time: a training task costs {@code taskFixed + taskPerParameter N} CPU seconds (its H inner
     * steps included, which bench rounds keeps to one small step), an aggregation task
     * {@code inputFixed + inputPerParameter N} per delta or partial sum it takes in.
     */
    record ExecutorCost(double taskFixed, double taskPerParameter, double inputFixed, double inputPerParameter) {
        /** Least-squares lines through (N, CPU per training task) and (N, CPU per aggregation input). */
        static ExecutorCost fit(long[] taskN, double[] taskCpu, long[] inputN, double[] inputCpu) {
            double[] t = line(taskN, taskCpu);
            double[] i = line(inputN, inputCpu);
            return new ExecutorCost(t[0], t[1], i[0], i[1]);
        }

        private static double[] line(long[] x, double[] y) {
            if (x.length < 2 || Arrays.stream(x).distinct().count() < 2) {
                throw new IllegalArgumentException("a line needs points at two model sizes at least, found "
                        + Arrays.toString(x));
            }
            double mx = Arrays.stream(x).average().orElseThrow();
            double my = Arrays.stream(y).average().orElseThrow();
            double sxy = 0;
            double sxx = 0;
            for (int k = 0; k < x.length; k++) {
                sxy += (x[k] - mx) * (y[k] - my);
                sxx += (x[k] - mx) * (x[k] - mx);
            }
            double slope = sxy / sxx;
            return new double[] {my - slope * mx, slope};
        }

        double task(long n) {
            return taskFixed + taskPerParameter * n;
        }

        double input(long n) {
            return inputFixed + inputPerParameter * n;
        }
    }

    /**
     * The round overhead on a cluster of {@code executors} executors with one partition (one task) each, on links of
     * {@code bytesPerSecond}, from this fit and the tasks' CPU costs measured here. Assumptions:
     * <ul>
     *   <li>the driver's own work in a round (a + c N: jobs and stages, serializing the broadcast, reading the one
     *       partial sum, the outer step) is as measured here; its per-task scheduling, inside b here together with
     *       the tasks' own fixed costs, is not counted;</li>
     *   <li>the executors run their tasks in parallel, each on a core as fast as one here; the critical path is one
     *       training task followed, at each level of RoundTrainer's tree, by one aggregation task that takes in its
     *       inputs one after the other ({@code fanIn}, or fewer at a small top level);</li>
     *   <li>the network carries, one after the other: the broadcast (4 N bytes) down a binary tree of executors
     *       (TorrentBroadcast; ceil(log2 E) hops, a pessimistic bound), each level's inputs into one reducer's link
     *       (4 N bytes each at the first level, 8 N above it) and the last partial sum (8 N) into the driver,
     *       uncompressed; links run at their full rate and nothing else shares them.</li>
     * </ul>
     */
    ClusterEstimate cluster(ExecutorCost tasks, int executors, long parameters, int fanIn, double bytesPerSecond) {
        double n = parameters;
        double driver = a + c * n;
        double compute = tasks.task(parameters);
        int hops = 64 - Long.numberOfLeadingZeros(Math.max(1, executors - 1));
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
                compute += inputs * tasks.input(parameters);
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
