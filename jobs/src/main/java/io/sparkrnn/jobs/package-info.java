/** The command line: config loading and validation, and the commands that run jobs through the driver. */
package io.sparkrnn.jobs;
