/** PyTorch export of sequence models: safetensors weights under torch.nn names, a config and a generic module. */
package io.sparkrnn.engine.io.pytorch;
