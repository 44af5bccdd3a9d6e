/** The round protocol: broadcast, local truncated-BPTT steps on each partition, ordered aggregation, clip, outer step. */
package io.sparkrnn.driver.round;
