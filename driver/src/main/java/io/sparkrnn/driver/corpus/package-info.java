/**
 * What every corpus reader shares: the files a path names, their lines, Parquet columns, and a read's records with
 * their bad-record check; the readers of each task and their encoders and batchings are in the sub-packages.
 */
package io.sparkrnn.driver.corpus;
