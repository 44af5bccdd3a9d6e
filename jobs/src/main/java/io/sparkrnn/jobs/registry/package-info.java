/**
 * A versioned model registry on any Hadoop file system: {@code <root>/<name>/v0001, v0002, ...}, each a complete
 * model folder with its {@code version.json}, and {@code CURRENT} naming the version that serves, replaced
 * atomically. {@link io.sparkrnn.jobs.registry.Registry} is the API; {@code spark-rnn registry} the commands.
 */
package io.sparkrnn.jobs.registry;
