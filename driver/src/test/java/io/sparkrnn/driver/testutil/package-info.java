/**
 * Test helpers on Hadoop shared by the driver's and the jobs' tests: the driver's test jar
 * ({@code <type>test-jar</type>}) holds this package.
 */
package io.sparkrnn.driver.testutil;
