/**
 * The self-contained, offline-viewable {@code report.html} of a training run: plots and tables of its metrics, the
 * task's own charts and samples of its outputs.
 */
package io.sparkrnn.jobs.report;
