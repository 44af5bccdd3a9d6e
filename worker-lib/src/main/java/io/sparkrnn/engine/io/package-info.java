/** Weight and optimizer-state files in the safetensors format, read and written bit-exactly from flat parameter vectors. */
package io.sparkrnn.engine.io;
