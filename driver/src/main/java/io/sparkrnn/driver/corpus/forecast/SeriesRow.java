package io.sparkrnn.driver.corpus.forecast;

import java.io.Serializable;

/** A parsed row of a series (CSV or Parquet): time key, raw feature values and where it was read (line or row). */
record SeriesRow(TimeKey key, double[] values, long at) implements Serializable {
}
