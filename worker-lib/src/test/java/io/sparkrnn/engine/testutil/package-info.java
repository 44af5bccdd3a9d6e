/**
 * Test helpers shared by the tests of every module: worker-lib's test jar ({@code <type>test-jar</type>}) holds
 * this package, the launcher session listener's registration and the tests' logging config.
 */
package io.sparkrnn.engine.testutil;
