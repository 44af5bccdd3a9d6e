"""A spark-rnn model as a torch.nn.Module, written by `spark-rnn export --format pytorch`.

This folder holds config.json (the model's shape), model.safetensors (the weights under the names of the
module below) and the model's task files. Load it with torch alone (no other package is needed):

    import sys; sys.path.insert(0, "path/to/export")
    import model
    net = model.load("path/to/export")          # eval mode, float32, on the CPU
    out = net(tokens, lengths)                  # see SparkRnnModel.forward

It computes what spark-rnn's engine computes. Sequence models (SparkRnnModel): embedding (or float features),
the stacked and optionally bidirectional nn.LSTM / nn.GRU / nn.RNN (PyTorch's gate order, which the weights
already follow), the last valid step or the mean over valid steps for pooled models, and the linear head
(logits, or the normalised values of a forecaster). Encoder-decoder models (Seq2SeqModel, config "model":
"seq2seq"): see that class; net(source, lengths, target_in) gives teacher-forced logits and net.greedy(source,
lengths) the greedy outputs.
"""
import math
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


class Seq2SeqModel(nn.Module):
    """An encoder-decoder with Luong attention (Luong et al. 2015). Shapes: B batch, S source steps, T target
    steps, W = D * encoder hidden (the memory width), H decoder hidden, V target vocabulary.

    Submodules (the names of the safetensors weights): src_embedding, encoder (bidirectional when configured),
    bridge, tgt_embedding, decoder, attn (general attention only, no bias), attn_combine (with attention), out.
    - encoder: memory M [B, S, W] over the valid source steps (packed, so each reverse direction starts at its
      row's last valid step).
    - bridge, per decoder layer k reading encoder layer e(k) = clamp(L_e - L_d + k, 0, L_e - 1):
      y = bridge([h_fwd; h_rev (; c_fwd; c_rev)]), h0 = tanh(y[:, :H]), c0 = y[:, H:].
    - decoder step: input [emb(token) (; feed)], top state h_t; with attention score_j = h_t . k_j, k = M (dot)
      or attn(M) (general), softmax over valid steps, context c_t = sum_j a_j M_j, h~_t = tanh(attn_combine([c_t;
      h_t])), feed = h~_t (input feeding); logits = out(h~_t), or out(h_t) without attention.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        c = config
        pad = c["pad_id"] if c["pad_id"] >= 0 else None
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[c["cell"]]
        hidden = c["decoder_hidden_size"]
        width = c["encoder_output_width"]
        self.src_embedding = nn.Embedding(c["source_vocab_size"], c["source_embedding_dim"], padding_idx=pad)
        self.encoder = cell(c["source_embedding_dim"], c["encoder_hidden_size"], num_layers=c["encoder_layers"],
                            batch_first=True, bidirectional=c["bidirectional"],
                            dropout=c["dropout"] if c["encoder_layers"] > 1 else 0.0)
        parts = 2 if c["cell"] == "lstm" else 1
        self.bridge = nn.Linear(parts * width, parts * hidden)
        self.tgt_embedding = nn.Embedding(c["target_vocab_size"], c["target_embedding_dim"], padding_idx=pad)
        feed = hidden if c["input_feeding"] else 0
        self.decoder = cell(c["target_embedding_dim"] + feed, hidden, num_layers=c["decoder_layers"],
                            dropout=c["dropout"] if c["decoder_layers"] > 1 else 0.0)
        if c["attention"] == "general":
            self.attn = nn.Linear(width, hidden, bias=False)
        if c["attention"] != "none":
            self.attn_combine = nn.Linear(width + hidden, hidden)
        self.out = nn.Linear(hidden, c["target_vocab_size"])

    def encode(self, source, lengths):
        """source int64 [B, S], lengths int64 [B] (at least 1). Returns (memory [B, S, W], mask [B, S], the
        decoder's initial state: h (and c) [L_d, B, H], and the feed vector [B, H] or None)."""
        c = self.config
        steps = source.shape[1]
        packed = pack_padded_sequence(self.src_embedding(source), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        memory, final = self.encoder(packed)
        memory, _ = pad_packed_sequence(memory, batch_first=True, total_length=steps)
        finals = final if isinstance(final, tuple) else (final,)
        directions = 2 if c["bidirectional"] else 1
        le, ld, hidden = c["encoder_layers"], c["decoder_layers"], c["decoder_hidden_size"]
        h0, c0 = [], []
        for k in range(ld):
            e = max(0, min(le - 1, le - ld + k))
            # [L_e * D, B, H_e] -> layer e's directions side by side, [B, D * H_e]; h parts, then c parts
            z = torch.cat([f[e * directions:(e + 1) * directions].transpose(0, 1).reshape(source.shape[0], -1)
                           for f in finals], dim=1)
            y = self.bridge(z)
            h0.append(torch.tanh(y[:, :hidden]))
            c0.append(y[:, hidden:])
        h = torch.stack(h0)
        state = (h, torch.stack(c0)) if c["cell"] == "lstm" else h
        mask = torch.arange(steps, device=source.device).unsqueeze(0) < lengths.unsqueeze(1)
        feed = memory.new_zeros(source.shape[0], hidden) if c["input_feeding"] else None
        return memory, mask, state, feed

    def step(self, token, state, feed, memory, mask, keys=None):
        """One decoder step: token int64 [B] (bos first), the state and feed from encode() or the previous step,
        keys = _keys(memory) to save recomputing them. Returns (logits [B, V], state, feed)."""
        x = self.tgt_embedding(token)
        if feed is not None:
            x = torch.cat([x, feed], dim=1)
        y, state = self.decoder(x.unsqueeze(0), state)
        top = y[0]
        if self.config["attention"] == "none":
            return self.out(top), state, feed
        keys = self._keys(memory) if keys is None else keys
        scores = torch.bmm(keys, top.unsqueeze(2)).squeeze(2).masked_fill(~mask, float("-inf"))     # [B, S]
        weights = torch.softmax(scores, dim=1)
        context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)                              # [B, W]
        head = torch.tanh(self.attn_combine(torch.cat([context, top], dim=1)))
        return self.out(head), state, head if feed is not None else None

    def _keys(self, memory):
        return self.attn(memory) if self.config["attention"] == "general" else memory

    def forward(self, source, lengths, target_in):
        """Teacher forcing: target_in int64 [B, T] = bos y_1 .. y_n (padded). Returns logits [B, T, V]; the
        logits at step t predict y_{t+1} (eos after y_n); steps past a row's n + 1 are not meaningful."""
        memory, mask, state, feed = self.encode(source, lengths)
        keys = self._keys(memory)
        logits = []
        for t in range(target_in.shape[1]):
            z, state, feed = self.step(target_in[:, t], state, feed, memory, mask, keys)
            logits.append(z)
        return torch.stack(logits, dim=1)

    @torch.no_grad()
    def greedy(self, source, lengths, max_len=None):
        """The most probable token at each step until eos, for each row: a list of token-id lists (eos not
        included). A row stops after max_len tokens, by default ceil(max_target_ratio * its length) (at least 1),
        as spark-rnn's greedy decoding does."""
        c = self.config
        batch = source.shape[0]
        limit = [max_len or max(1, math.ceil(c["max_target_ratio"] * int(n))) for n in lengths.tolist()]
        memory, mask, state, feed = self.encode(source, lengths)
        keys = self._keys(memory)
        token = torch.full((batch,), c["bos_id"], dtype=torch.long, device=source.device)
        out = [[] for _ in range(batch)]
        done = [False] * batch
        for _ in range(max(limit)):
            z, state, feed = self.step(token, state, feed, memory, mask, keys)
            token = z.argmax(dim=1)
            for r, best in enumerate(token.tolist()):
                if done[r]:
                    continue
                if best == c["eos_id"]:
                    done[r] = True
                else:
                    out[r].append(best)
                    done[r] = len(out[r]) >= limit[r]
            if all(done):
                break
        return out


def load(folder=None):
    """The exported model in `folder` (default: this file's folder), in eval mode."""
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    if config.get("format") != FORMAT or config.get("version") != VERSION:
        raise ValueError("%s: expected format %s version %d, found %s version %s" % (
            os.path.join(folder, "config.json"), FORMAT, VERSION, config.get("format"), config.get("version")))
    net = Seq2SeqModel(config) if config.get("model") == "seq2seq" else SparkRnnModel(config)
    net.load_state_dict(read_safetensors(os.path.join(folder, "model.safetensors")))
    return net.eval()


if __name__ == "__main__":
    print(load())
