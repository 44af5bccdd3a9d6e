package io.sparkrnn.jobs;

import io.sparkrnn.jobs.config.ConfigException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;

/** Opening a Spark context, with a master URL that Spark cannot parse reported as a config error. */
final class SparkContexts {
    private SparkContexts() {
    }

    /**
     * A context for {@code conf}; a master URL Spark cannot parse is a {@link ConfigException} naming
     * {@code setting}, the key or option that gave it.
     */
    static JavaSparkContext open(SparkConf conf, String setting) {
        try {
            return new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // Scala declares no checked exceptions: SparkException arrives here undeclared
            if (e instanceof SparkException && e.getMessage() != null
                    && e.getMessage().startsWith("Could not parse Master URL")) {
                throw new ConfigException(setting + ": " + e.getMessage() + "; expected local, local[N], local[*], "
                        + "spark://host:port, yarn or k8s://...");
            }
            throw new IllegalStateException(e);
        }
    }
}
