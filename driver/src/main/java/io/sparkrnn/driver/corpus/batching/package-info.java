/**
 * Encoded sequences to training partitions: a seeded shuffle, length buckets, token-balanced placement and the
 * batch order of each epoch.
 */
package io.sparkrnn.driver.corpus.batching;
