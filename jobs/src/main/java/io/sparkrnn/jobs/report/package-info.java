/** The self-contained, offline-viewable {@code report.html} of a training run: plots and tables of its metrics. */
package io.sparkrnn.jobs.report;
