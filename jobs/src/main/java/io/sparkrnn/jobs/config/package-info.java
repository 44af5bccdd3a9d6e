/**
 * A job's configuration: the schema of every key ({@link io.sparkrnn.jobs.config.ConfigSchema}), loading and
 * checking a HOCON file with {@code --set} overrides ({@link io.sparkrnn.jobs.config.JobConfig}), and the
 * {@link io.sparkrnn.jobs.config.ConfigException} of a bad one.
 */
package io.sparkrnn.jobs.config;
