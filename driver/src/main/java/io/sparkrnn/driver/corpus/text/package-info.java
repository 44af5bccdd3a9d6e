/** Tokens and vocabularies: the unit a text is cut into, and the saved map from tokens to ids. */
package io.sparkrnn.driver.corpus.text;
