#!/usr/bin/env python3
"""PyTorch peer of `spark-rnn bench engine`: times the same training step as our engine.

nn.Embedding(V, E) -> nn.LSTM/GRU/RNN(E, H), one layer -> nn.Linear(H, V); truncated BPTT by detaching the
state every k steps (k1 = k2 = k); per window: forward, cross-entropy, backward, clip_grad_norm_(clip), Adam.
Random tokens from a fixed seed (speed does not depend on the text). Shapes: T = time, B = batch, time-major.
--autocast bf16: the same step with forward and loss under torch.autocast("cpu", dtype=torch.bfloat16) (matrix
products in bf16, float32 weights, gradients and Adam), backward outside it as the autocast recipe says.
Prints one JSON object on stdout: tokens/s of each repeat, their median, and the peak RSS (VmHWM).
"""
import argparse
import contextlib
import json
import math
import sys
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
p.add_argument("--hidden", type=int, default=128)
p.add_argument("--vocab", type=int, default=64)
p.add_argument("--embedding", type=int, default=64)
p.add_argument("--batch", type=int, default=32)        # B: sequences per batch
p.add_argument("--seq", type=int, default=100)         # T: steps per batch
p.add_argument("--k", type=int, default=50)            # truncated BPTT window, k1 = k2
p.add_argument("--lr", type=float, default=1e-3)       # Adam learning rate
p.add_argument("--clip", type=float, default=1.0)      # global L2 norm clip
p.add_argument("--threads", type=int, default=2)       # torch.set_num_threads
p.add_argument("--repeats", type=int, default=5)       # timed repeats; the median is reported
p.add_argument("--steps", type=int, default=0)         # batches per repeat; 0 = about --target-seconds
p.add_argument("--target-seconds", type=float, default=3.0)
p.add_argument("--seed", type=int, default=1234)
p.add_argument("--autocast", choices=["none", "bf16"], default="none")
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[a.cell]


class LanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(a.vocab, a.embedding)
        self.rnn = rnn_class(a.embedding, a.hidden, num_layers=1)
        self.head = nn.Linear(a.hidden, a.vocab)

    def forward(self, x, state):               # x: [T, B] token ids
        h, state = self.rnn(self.embedding(x), state)   # h: [T, B, H]
        return self.head(h), state             # [T, B, V]


model = LanguageModel()
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
loss_fn = nn.CrossEntropyLoss()
gen = torch.Generator().manual_seed(a.seed)
batches = [torch.randint(0, a.vocab, (a.seq + 1, a.batch), generator=gen) for _ in range(8)]
position = 0


def precision():
    if a.autocast == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train_one_batch():
    global position
    tokens = batches[position % len(batches)]
    position += 1
    state = None                               # a new batch of sequences starts from zero state
    for start in range(0, a.seq, a.k):
        end = min(a.seq, start + a.k)
        x, y = tokens[start:end], tokens[start + 1:end + 1]
        opt.zero_grad(set_to_none=True)
        with precision():
            logits, state = model(x, detach(state))
            loss = loss_fn(logits.reshape(-1, a.vocab), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


warmup = 2                                     # JIT-free, but allocator and thread pool warm up
for _ in range(warmup):
    train_one_batch()
steps = a.steps
if steps <= 0:                                 # calibrate: about half the target, then size the repeats
    t0, n = time.perf_counter(), 0
    while True:
        train_one_batch()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= 0.5 * a.target_seconds:
            break
    warmup += n
    steps = max(2, min(1000, math.ceil(a.target_seconds * n / elapsed)))
rates = []
for _ in range(a.repeats):
    t0 = time.perf_counter()
    for _ in range(steps):
        train_one_batch()
    rates.append(steps * a.batch * a.seq / (time.perf_counter() - t0))
ordered = sorted(rates)
n = len(ordered)
median = ordered[n // 2] if n % 2 else 0.5 * (ordered[n // 2 - 1] + ordered[n // 2])
json.dump({"tokens_per_s": median, "tokens_per_s_repeats": rates, "batches_per_repeat": steps,
           "warmup_batches": warmup, "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads(),
           "torch_version": torch.__version__, "autocast": a.autocast}, sys.stdout)
print()
