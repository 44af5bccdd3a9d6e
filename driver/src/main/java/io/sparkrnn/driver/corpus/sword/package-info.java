/**
 * SWORD Bible modules (CrossWire's zText format) read into plain verse text, and two modules aligned verse by verse
 * into source/target pairs (e.g. the King James Version and the World English Bible for an English modernisation
 * task).
 */
package io.sparkrnn.driver.corpus.sword;
