/**
 * The round protocol: broadcast, local inner steps on each partition (truncated BPTT or pairs), ordered
 * aggregation, clip, outer step.
 */
package io.sparkrnn.driver.round;
