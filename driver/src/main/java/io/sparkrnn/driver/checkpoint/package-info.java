/**
 * Checkpoints of a training run on any Hadoop file system on the class path (file://, hdfs://): written
 * under a temporary name, verified and renamed, with a LATEST pointer replaced last; loaded with manifest
 * checks and fallback to the previous checkpoint; retention by policy (docs/formats.md, "Checkpoints").
 */
package io.sparkrnn.driver.checkpoint;
