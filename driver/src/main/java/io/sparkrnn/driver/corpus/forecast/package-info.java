/**
 * Forecasting series: CSV or Parquet rows in time order, split, normalised and cut into windows (with calendar
 * covariates and the seasonal-naive baseline), and the windows' training partitions; a forecasting run's prepared
 * data and its scoring and forecasting jobs.
 */
package io.sparkrnn.driver.corpus.forecast;
