/** ONNX export of sequence models: a protobuf wire-format writer for the ONNX messages and the graph of a model. */
package io.sparkrnn.engine.io.onnx;
