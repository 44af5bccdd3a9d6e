/** Corpus readers and encoders: text to token ids with a saved vocabulary. */
package io.sparkrnn.driver.corpus;
