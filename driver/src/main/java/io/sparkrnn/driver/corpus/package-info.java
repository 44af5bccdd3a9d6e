/**
 * What every corpus reader shares: the files a path names, their lines, Parquet columns, a read's records with
 * their bad-record check, and the seeded split of examples; the readers of each task, their encoders and
 * batchings and each task's prepared data are in the sub-packages.
 */
package io.sparkrnn.driver.corpus;
