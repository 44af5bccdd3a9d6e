"""A spark-rnn sequence model as a torch.nn.Module, written by `spark-rnn export --format pytorch`.

This folder holds config.json (the model's shape), model.safetensors (the weights under the names of the
module below) and the model's task files. Load it with torch alone (no other package is needed):

    import sys; sys.path.insert(0, "path/to/export")
    import model
    net = model.load("path/to/export")          # eval mode, float32, on the CPU
    out = net(tokens, lengths)                  # see SparkRnnModel.forward

It computes what spark-rnn's engine computes: embedding (or float features), the stacked and optionally
bidirectional nn.LSTM / nn.GRU / nn.RNN (PyTorch's gate order, which the weights already follow), the
last valid step or the mean over valid steps for pooled models, and the linear head (logits, or the
normalised values of a forecaster).
"""
import json
import os
import struct

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

FORMAT = "spark-rnn-pytorch"
VERSION = 1
_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    """The tensors of a safetensors file: 8-byte little-endian header size, JSON header, raw data."""
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=_DTYPES[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"])
    return tensors


class SparkRnnModel(nn.Module):
    """Submodules `embedding` (token models), `rnn` and `head`: the names of the safetensors weights."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        if config["vocab_size"] > 0:
            pad = config["padding_idx"]
            self.embedding = nn.Embedding(config["vocab_size"], config["embedding_dim"],
                                          padding_idx=pad if pad >= 0 else None)
            input_size = config["embedding_dim"]
        else:
            self.embedding = None
            input_size = config["feature_size"]
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[config["cell"]]
        layers = config["num_layers"]
        self.rnn = cell(input_size, config["hidden_size"], num_layers=layers, batch_first=True,
                        bidirectional=config["bidirectional"], dropout=config["dropout"] if layers > 1 else 0.0)
        directions = 2 if config["bidirectional"] else 1
        self.head = nn.Linear(directions * config["hidden_size"], config["output_size"])

    def forward(self, x, lengths=None):
        """x: int64 token ids [B, T] or float features [B, T, F]; lengths: int64 valid steps per row (right
        padding), or None when every row has T steps. Returns [B, T, C] for aligned models (steps past a
        row's length are not meaningful) or [B, C] for pooled ones."""
        if self.embedding is not None:
            x = self.embedding(x)
        batch, steps = x.shape[0], x.shape[1]
        if lengths is None:
            y, state = self.rnn(x)
        else:
            # packing makes each reverse direction start at its row's last valid step, as spark-rnn's does
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            y, state = self.rnn(packed)
            y, _ = pad_packed_sequence(y, batch_first=True, total_length=steps)   # zeros past each length
        if self.config["topology"] == "aligned":
            return self.head(y)
        if self.config["pooling"] == "last":
            h_n = state[0] if isinstance(state, tuple) else state                # [layers * D, B, H]
            directions = 2 if self.config["bidirectional"] else 1
            pooled = h_n[-directions:].transpose(0, 1).reshape(batch, -1)       # forward, then reverse
        elif lengths is None:
            pooled = y.mean(dim=1)
        else:
            pooled = y.sum(dim=1) / lengths.to(y.dtype).unsqueeze(1)
        return self.head(pooled)


def load(folder=None):
    """The exported model in `folder` (default: this file's folder), in eval mode."""
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    if config.get("format") != FORMAT or config.get("version") != VERSION:
        raise ValueError("%s: expected format %s version %d, found %s version %s" % (
            os.path.join(folder, "config.json"), FORMAT, VERSION, config.get("format"), config.get("version")))
    net = SparkRnnModel(config)
    net.load_state_dict(read_safetensors(os.path.join(folder, "model.safetensors")))
    return net.eval()


if __name__ == "__main__":
    print(load())
