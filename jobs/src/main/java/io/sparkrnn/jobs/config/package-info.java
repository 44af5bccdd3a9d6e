/**
 * A job's configuration: the schema of every key ({@link io.sparkrnn.jobs.config.ConfigSchema}), loading and
 * checking a HOCON file with {@code --set} overrides against it ({@link io.sparkrnn.jobs.config.JobConfig}), and
 * the typed, immutable sections the tasks and commands read ({@link io.sparkrnn.jobs.config.JobSettings}), built
 * once by a factory that checks every rule among keys. A bad config is a
 * {@link io.sparkrnn.jobs.config.ConfigException} naming the file and the key.
 */
package io.sparkrnn.jobs.config;
