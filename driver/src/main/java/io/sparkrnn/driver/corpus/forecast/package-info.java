/**
 * Forecasting series: CSV or Parquet rows in time order, split, normalised and cut into windows (with calendar
 * covariates and the seasonal-naive baseline), and the windows' training partitions.
 */
package io.sparkrnn.driver.corpus.forecast;
