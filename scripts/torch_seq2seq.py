#!/usr/bin/env python3
"""PyTorch reference of `spark-rnn bench seq2seq`: our encoder-decoder's architecture trained for a wall-time budget.

The model of io.sparkrnn.engine.seq2seq.Seq2SeqModel (Luong et al. 2015): source embedding -> nn.LSTM/GRU/RNN
encoder (optionally bidirectional, masked by packing); bridge z = [h_fwd; h_rev (; c_fwd; c_rev)] of the encoder's
final states -> Linear -> h0 = tanh(y[:H]), c0 = y[H:] for every decoder layer (top layers aligned); decoder step
input [emb(u_t) (; h~_{t-1})] (input feeding); attention score h_t . W_a m_j (general) or h_t . m_j (dot) over the
valid source steps, h~_t = tanh(W_c [c_t; h_t] + b_c); logits = out(h~_t), out's weight the target embedding when
tied. Dropout between stacked layers, io-dropout on the first layers' inputs and on h~ before the output, label
smoothing (1 - eps) NLL + eps * mean -log p. Adam, global-norm clip, batches of --batch pairs in a seeded shuffle.

Reads the training pairs (one `source<TAB>target` a line, tokens separated by spaces, as the bench exports the
split the job trains on) and the vocabularies (one JSON string a line, <pad> <unk> <bos> <eos> first: the model
folder's vocab-source.txt and vocab-target.txt). Trains until --seconds of wall time have passed, then decodes the
sources of --sources greedily (or with a beam of --beam, length penalty --alpha) into --output, one line each.
Prints one JSON object on stdout: the pairs, target tokens and steps trained, the training and decoding seconds.
"""
import argparse
import json
import math
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--train", required=True)            # source<TAB>target lines
p.add_argument("--sources", required=True)          # sources to decode, one a line
p.add_argument("--output", required=True)           # decoded outputs, one a line
p.add_argument("--source-vocab", required=True)
p.add_argument("--target-vocab", required=True)
p.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
p.add_argument("--embedding", type=int, default=64)
p.add_argument("--hidden", type=int, default=128)   # encoder hidden per direction
p.add_argument("--layers", type=int, default=1)
p.add_argument("--bidirectional", action="store_true")
p.add_argument("--decoder-hidden", type=int, default=128)
p.add_argument("--decoder-layers", type=int, default=1)
p.add_argument("--attention", choices=["none", "dot", "general"], default="general")
p.add_argument("--input-feeding", action="store_true")
p.add_argument("--dropout", type=float, default=0.0)
p.add_argument("--io-dropout", type=float, default=0.0)
p.add_argument("--label-smoothing", type=float, default=0.0)
p.add_argument("--tie-embeddings", action="store_true")
p.add_argument("--lr", type=float, default=1e-3)    # Adam learning rate (constant)
p.add_argument("--clip", type=float, default=1.0)   # global L2 norm clip, 0 = off
p.add_argument("--batch", type=int, default=32)
p.add_argument("--max-source-length", type=int, default=48)
p.add_argument("--max-length-ratio", type=float, default=1.5)
p.add_argument("--beam", type=int, default=1)
p.add_argument("--alpha", type=float, default=0.6)
p.add_argument("--seconds", type=float, required=True)  # training wall-time budget
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=1234)
a = p.parse_args()
if a.seconds <= 0:
    sys.exit("--seconds must be > 0, found %s" % a.seconds)

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
random.seed(a.seed)
PAD, UNK, BOS, EOS = 0, 1, 2, 3
RNN = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[a.cell]
LSTM = a.cell == "lstm"


def vocab(path):
    with open(path, encoding="utf-8") as f:
        tokens = [json.loads(line) for line in f if line.strip()]
    if tokens[:4] != ["<pad>", "<unk>", "<bos>", "<eos>"]:
        sys.exit("%s: expected <pad> <unk> <bos> <eos> first, found %s" % (path, tokens[:4]))
    return tokens, {t: i for i, t in enumerate(tokens)}


src_tokens, src_ids = vocab(a.source_vocab)
tgt_tokens, tgt_ids = vocab(a.target_vocab)


def encode(ids, text):
    return [ids.get(t, UNK) for t in text.split(" ") if t]


pairs = []
with open(a.train, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 2:
            sys.exit("%s line %d: expected source<TAB>target, found %d columns" % (a.train, n, len(cols)))
        s, t = encode(src_ids, cols[0]), encode(tgt_ids, cols[1])
        if 0 < len(s) <= a.max_source_length:
            pairs.append((s, t))
if not pairs:
    sys.exit("%s: no training pairs" % a.train)


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        d = 2 if a.bidirectional else 1
        self.width = d * a.hidden
        r = 2 if LSTM else 1
        self.src_embedding = nn.Embedding(len(src_tokens), a.embedding, padding_idx=PAD)
        self.encoder = RNN(a.embedding, a.hidden, num_layers=a.layers, bidirectional=a.bidirectional,
                           dropout=a.dropout if a.layers > 1 else 0.0)
        self.bridge = nn.Linear(r * self.width, r * a.decoder_hidden)
        self.tgt_embedding = nn.Embedding(len(tgt_tokens), a.embedding, padding_idx=PAD)
        feed = a.decoder_hidden if a.input_feeding else 0
        self.decoder = RNN(a.embedding + feed, a.decoder_hidden, num_layers=a.decoder_layers,
                           dropout=a.dropout if a.decoder_layers > 1 else 0.0)
        if a.attention == "general":
            self.attn = nn.Linear(self.width, a.decoder_hidden, bias=False)
        if a.attention != "none":
            self.attn_combine = nn.Linear(self.width + a.decoder_hidden, a.decoder_hidden)
        if a.tie_embeddings:
            if a.decoder_hidden != a.embedding:
                sys.exit("--tie-embeddings needs --decoder-hidden = --embedding")
            self.out = None
        else:
            self.out = nn.Linear(a.decoder_hidden, len(tgt_tokens))
        self.io = nn.Dropout(a.io_dropout)

    def logits(self, h):
        return F.linear(h, self.tgt_embedding.weight) if self.out is None else self.out(h)

    def encode(self, src, lengths):
        """src [S, B] -> memory [S, B, W], keys, mask [B, S], the decoder's initial state."""
        emb = self.io(self.src_embedding(src))
        packed = nn.utils.rnn.pack_padded_sequence(emb, lengths, enforce_sorted=False)
        out, state = self.encoder(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=src.size(0))
        d = 2 if a.bidirectional else 1
        parts = state if LSTM else (state,)
        zs = []
        for k in range(a.decoder_layers):
            e = min(max(a.layers - a.decoder_layers + k, 0), a.layers - 1)
            z = torch.cat([s.view(a.layers, d, s.size(1), a.hidden)[e].transpose(0, 1).reshape(s.size(1), -1)
                           for s in parts], dim=1)
            zs.append(self.bridge(z))
        y = torch.stack(zs)  # [L_d, B, R*H]
        h = torch.tanh(y[..., :a.decoder_hidden])
        init = (h.contiguous(), y[..., a.decoder_hidden:].contiguous()) if LSTM else h.contiguous()
        keys = self.attn(memory) if a.attention == "general" else memory
        mask = (src != PAD).t()
        return memory, keys, mask, init

    def step(self, x, feed, state, memory, keys, mask):
        """One decoder step: the input's embeddings x [B, E] -> attentional vector h~ [B, H], the new state."""
        if a.input_feeding:
            x = torch.cat([x, feed], dim=1)
        out, state = self.decoder(self.io(x).unsqueeze(0), state)
        h = out[0]
        if a.attention == "none":
            return h, state
        score = torch.einsum("bh,sbh->bs", h, keys).masked_fill(~mask, float("-inf"))
        ctx = torch.einsum("bs,sbw->bw", torch.softmax(score, dim=1), memory)
        return torch.tanh(self.attn_combine(torch.cat([ctx, h], dim=1))), state

    def loss(self, src, lengths, tgt_in, tgt_out):
        memory, keys, mask, state = self.encode(src, lengths)
        b = src.size(1)
        feed = memory.new_zeros(b, a.decoder_hidden)
        emb = self.tgt_embedding(tgt_in)  # [T, B, E], looked up once: one gradient of the embedding
        outs = []
        for t in range(tgt_in.size(0)):
            feed, state = self.step(emb[t], feed, state, memory, keys, mask)
            outs.append(feed)
        logits = self.logits(self.io(torch.stack(outs)))  # [T, B, V]
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt_out.reshape(-1), ignore_index=PAD,
                               label_smoothing=a.label_smoothing)


def pad(seqs):
    t = torch.full((max(len(s) for s in seqs), len(seqs)), PAD, dtype=torch.long)
    for j, s in enumerate(seqs):
        t[:len(s), j] = torch.tensor(s, dtype=torch.long)
    return t


def batch_tensors(chunk):
    src = pad([s for s, _ in chunk])
    lengths = torch.tensor([len(s) for s, _ in chunk])
    return src, lengths, pad([[BOS] + t for _, t in chunk]), pad([t + [EOS] for _, t in chunk])


model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
steps = trained_pairs = trained_tokens = 0
epochs = 0
t0 = time.monotonic()
model.train()
done = False
while not done:
    order = list(range(len(pairs)))
    random.shuffle(order)
    for i in range(0, len(order), a.batch):
        chunk = [pairs[j] for j in order[i:i + a.batch]]
        opt.zero_grad()
        model.loss(*batch_tensors(chunk)).backward()
        if a.clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        steps += 1
        trained_pairs += len(chunk)
        trained_tokens += sum(len(t) + 1 for _, t in chunk)
        if time.monotonic() - t0 >= a.seconds:
            done = True
            break
    else:
        epochs += 1
train_seconds = time.monotonic() - t0


@torch.no_grad()
def greedy(sources):
    src = pad(sources)
    lengths = torch.tensor([len(s) for s in sources])
    memory, keys, mask, state = model.encode(src, lengths)
    b = len(sources)
    limit = [math.ceil(a.max_length_ratio * len(s)) for s in sources]
    feed = memory.new_zeros(b, a.decoder_hidden)
    u = torch.full((b,), BOS, dtype=torch.long)
    outs = [[] for _ in range(b)]
    ended = [False] * b
    for t in range(max(limit)):
        feed, state = model.step(model.tgt_embedding(u), feed, state, memory, keys, mask)
        u = model.logits(feed).argmax(dim=1)
        for j in range(b):
            if not ended[j]:
                if u[j].item() == EOS or t >= limit[j]:
                    ended[j] = True
                else:
                    outs[j].append(u[j].item())
        if all(ended):
            break
    return outs


def select(state, idx):
    return tuple(s[:, idx] for s in state) if LSTM else state[:, idx]


@torch.no_grad()
def beam(source):
    """Beam search of one source; hypotheses ranked by log p / ((5 + len) / 6) ** alpha (GNMT length penalty)."""
    src = pad([source])
    memory, keys, mask, state = model.encode(src, torch.tensor([len(source)]))
    limit = math.ceil(a.max_length_ratio * len(source))
    live = [([], 0.0)]
    feed = memory.new_zeros(1, a.decoder_hidden)
    finished = []
    for t in range(limit + 1):
        n = len(live)
        u = torch.tensor([h[-1] if h else BOS for h, _ in live])
        feed, state = model.step(model.tgt_embedding(u), feed, state, memory.expand(-1, n, -1), keys.expand(-1, n, -1),
                                 mask.expand(n, -1))
        logp = torch.log_softmax(model.logits(feed), dim=1)
        cand = []
        for i, (h, s) in enumerate(live):
            top = logp[i].topk(a.beam)
            for lp, w in zip(top.values.tolist(), top.indices.tolist()):
                cand.append((s + lp, i, w))
        cand.sort(key=lambda c: -c[0])
        nxt, keep = [], []
        for s, i, w in cand:
            if w == EOS or t >= limit:
                h = live[i][0] if w == EOS else live[i][0] + [w]
                finished.append((s / ((5 + len(h) + 1) / 6) ** a.alpha, h))
            else:
                nxt.append((live[i][0] + [w], s))
                keep.append(i)
            if len(nxt) == a.beam:
                break
        if not nxt or len(finished) >= a.beam:
            break
        idx = torch.tensor(keep)
        live, feed, state = nxt, feed[idx], select(state, idx)
    if not finished:
        finished = [(s, h) for h, s in live]
    return max(finished, key=lambda f: f[0])[1]


model.eval()
t1 = time.monotonic()
with open(a.sources, encoding="utf-8") as f:
    texts = [line.rstrip("\n") for line in f]
outputs = [""] * len(texts)
todo = [(i, encode(src_ids, s)) for i, s in enumerate(texts)]
todo = [(i, s) for i, s in todo if 0 < len(s) <= a.max_source_length]
if a.beam > 1:
    for i, s in todo:
        outputs[i] = " ".join(tgt_tokens[w] for w in beam(s))
else:
    for k in range(0, len(todo), 64):
        chunk = todo[k:k + 64]
        for (i, _), ids in zip(chunk, greedy([s for _, s in chunk])):
            outputs[i] = " ".join(tgt_tokens[w] for w in ids)
with open(a.output, "w", encoding="utf-8") as f:
    for o in outputs:
        f.write(o + "\n")
print(json.dumps({"pairs": trained_pairs, "tokens": trained_tokens, "steps": steps, "epochs": epochs,
                  "train_seconds": train_seconds, "decode_seconds": time.monotonic() - t1,
                  "threads": a.threads, "torch": torch.__version__, "decoded": len(todo)}))
