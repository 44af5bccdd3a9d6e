/**
 * A task's data prepared for one training run: the model spec, the files saved beside the model, the training
 * partitions the round loop consumes and the held-out evaluation.
 */
package io.sparkrnn.driver.task;
