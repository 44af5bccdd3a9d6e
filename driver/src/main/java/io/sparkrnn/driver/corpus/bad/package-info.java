/** Bad-record accounting: skipped records counted by reason on the executors, the first few named file:line. */
package io.sparkrnn.driver.corpus.bad;
