"""GPT: a tiny character-level transformer, built from scalar Values, learns names and then makes up new ones.

This is the whole model, top to bottom: token and position embeddings, one block of 4-head causal
self-attention and a relu MLP (each behind an RMS norm and added back to a residual stream), and a
linear head that scores every possible next character. It trains on one name per step: the name
becomes tokens, BOS e m m a BOS, and at each position the model predicts the next token from the
ones before it. The loss is the mean of −log p(next token) over the positions; Adam (learning rate
0.01, decaying linearly to 0) follows its gradient. Then it samples: start from BOS, draw a
character from the predicted distribution (sharpened by a temperature), feed it back, stop at BOS.

It is the size of the famous 200-line scalar GPT (microgpt): 16-dimensional embeddings, 4 heads,
1 layer, 16 positions, weights drawn from N(0, 0.08²), 4,192 parameters on 26 letters. Each dot
product is one `weighted_sum` node and each softmax is one `logsumexp` node plus two per entry,
and the training loop runs inside `tape()`: a step builds about 3,000 nodes (the same model in
binary ops builds about 55,000) and takes about 11 ms. Every tool still works on it:
`explain(loss, parameter)`, `draw_dot` of one attention head (see `draw_attention`), `gradcheck`.

The names are, by default, the ~5,500 US census first names that the PyPI package `names` ships
(installed by the demos extra), lower-cased; `--data FILE` trains on any one-name-per-line file
instead (makemore's names.txt, say). Names longer than 15 characters are cut at the block size.

    python -m demos.gpt [--steps 1000] [--seed 42] [--data FILE] [--temperature 0.5] [--out out/gpt] [--quiet]
"""
import argparse
import importlib.resources
import json
import math
import pathlib
import random
import statistics
import sys
import time

import nn
from autograd import Value, draw_dot, logsumexp, no_grad, softmax, tape, total, weighted_sum
from demos import _common

N_EMBD = 16             # the width of the residual stream: every token is a vector of 16 numbers
N_HEAD = 4              # attention heads, each looking at its own 4 of the 16 dimensions
N_LAYER = 1             # transformer blocks
BLOCK_SIZE = 16         # the longest context: positions 0 .. 15
INIT_STD = 0.08         # every weight starts as a draw from N(0, 0.08²)
LEARNING_RATE = 0.01    # Adam's step size at step 0, falling linearly to 0 at the last step
BETAS = (0.85, 0.99)
EPS = 1e-8
TEMPERATURE = 0.5       # < 1 sharpens the predicted distribution when sampling: safer, less varied names
CENSUS_FILES = ("dist.female.first", "dist.male.first")


# ---- the data -----------------------------------------------------------------------------------
class DataError(ValueError):
    """The names could not be read, or hold something the model cannot take."""


def census_names():
    """The US census first names shipped by the PyPI package `names`, lower-cased (female list, then male).

    >>> names = census_names()
    >>> len(names), names[:3]
    (5494, ['mary', 'patricia', 'linda'])
    """
    try:
        package = importlib.resources.files("names")
    except ModuleNotFoundError:
        raise DataError("the default names come from the PyPI package `names`: install it with "
                        "pip install -e '.[demos]', or pass --data FILE") from None
    names = []
    for file_name in CENSUS_FILES:
        resource = package / file_name
        if not resource.is_file():
            raise DataError(f"the installed `names` package has no {file_name}; reinstall it (pip install names) "
                            f"or pass --data FILE")
        lines = resource.read_text(encoding="utf-8").splitlines()
        names += [line.split()[0].lower() for line in lines if line.strip()]    # NAME  freq  cumfreq  rank
    return names


def read_names(path):
    """The names in a UTF-8 text file, one per line: each line stripped of surrounding space, blank lines skipped.

    A missing or empty file, one with no names, or a name holding a tab or another control
    character raises DataError naming the file (and the line).
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "names.txt")
    ...     _ = pathlib.Path(path).write_text("emma\\n\\n olivia \\n", encoding="utf-8")
    ...     read_names(path)
    ['emma', 'olivia']
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file of names") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text (byte {error.start} cannot be decoded); the data must be "
                        f"a text file with one name per line") from None
    if not text:
        raise DataError(f"{path}: the file is empty; it needs one name per line")
    names = []
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.strip()
        if not name:
            continue
        unprintable = [character for character in name if not character.isprintable()]
        if unprintable:
            raise DataError(f"{path}, line {number}: {unprintable[0]!r} is a control character, which cannot "
                            f"be part of a name (one name per line)")
        names.append(name)
    if not names:
        raise DataError(f"{path}: no usable lines (every line is blank); it needs one name per line")
    return names


class Vocabulary:
    """The tokens: one per character that occurs in the names, sorted, then BOS, which marks both ends.

    >>> vocabulary = Vocabulary(["emma", "ava"])
    >>> vocabulary.characters, vocabulary.size, vocabulary.bos
    ('aemv', 5, 4)
    >>> vocabulary.encode("ava"), vocabulary.decode([0, 3, 0])
    ([4, 0, 3, 0, 4], 'ava')
    """

    def __init__(self, names):
        self.characters = "".join(sorted(set("".join(names))))
        if not self.characters:
            raise DataError("the names hold no characters, so there is nothing to learn")
        self.bos = len(self.characters)                        # Beginning (and end) Of Sequence
        self.size = len(self.characters) + 1
        self._ids = {character: index for index, character in enumerate(self.characters)}

    def encode(self, name):
        """BOS, the ids of the name's characters, BOS. A character the names never used raises DataError."""
        ids = []
        for character in name:
            if character not in self._ids:
                raise DataError(f"{character!r} in {name!r} is outside the vocabulary, which holds only the "
                                f"characters of the training names: {self.characters!r}")
            ids.append(self._ids[character])
        return [self.bos] + ids + [self.bos]

    def decode(self, ids):
        """The characters of token ids (BOS left out)."""
        return "".join(self.characters[i] for i in ids if i != self.bos)


# ---- the model ----------------------------------------------------------------------------------
class GPT(nn.Module):
    """Embeddings, `n_layer` blocks of attention + MLP, and a head that gives one logit per token.

    It reads one token at a time. `cache` holds, for each block, the keys and values of the
    positions seen so far, so position t attends to positions 0 .. t (causal by construction).
    >>> random.seed(0); model = GPT(vocab_size=27)
    >>> len(model.parameters())
    4192
    >>> logits = model(26, 0, model.new_cache()); len(logits)
    27
    """

    def __init__(self, vocab_size, n_embd=N_EMBD, n_head=N_HEAD, n_layer=N_LAYER, block_size=BLOCK_SIZE,
                 std=INIT_STD):
        if n_embd % n_head:
            raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        self.vocab_size, self.n_embd, self.n_head, self.block_size = vocab_size, n_embd, n_head, block_size
        self.wte = nn.Embedding(vocab_size, n_embd, std)       # token embeddings: what the token is
        self.wpe = nn.Embedding(block_size, n_embd, std)       # position embeddings: where it is
        self.layers = [Block(n_embd, n_head, std) for _ in range(n_layer)]
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False, std=std)
        for name, parameter in self.named_parameters():
            parameter.label = name                             # explain() and drawings then say 'wte.weight.4.0'

    def new_cache(self):
        """An empty key/value cache: for each block, the keys and the values of the positions seen."""
        return [([], []) for _ in self.layers]

    def embed(self, token, position):
        """The residual stream's start: token vector + position vector, RMS-normalized."""
        return nn.rmsnorm([t + p for t, p in zip(self.wte(token), self.wpe(position))])

    def __call__(self, token, position, cache):
        """The logits (one per token of the vocabulary) for the token that follows `token` at `position`."""
        x = self.embed(token, position)
        for layer, (keys, values) in zip(self.layers, cache):
            x = layer(x, keys, values)
        return self.lm_head(x)

    def loss(self, tokens):
        """The mean over positions of −log p(the next token): one name's cross-entropy, a Value."""
        positions = min(self.block_size, len(tokens) - 1)
        cache = self.new_cache()
        losses = []
        for position in range(positions):
            logits = self(tokens[position], position, cache)
            target = tokens[position + 1]
            losses.append(logsumexp(logits) - logits[target])  # −log softmax(logits)[target]
        loss = total(losses) * (1.0 / positions)
        loss.label = "loss"
        return loss

    def sample(self, vocabulary, temperature=TEMPERATURE):
        """A new name: from BOS, draw each next token from softmax(logits / temperature) until BOS comes."""
        cache = self.new_cache()
        token, drawn = vocabulary.bos, []
        with no_grad():                                        # no graph: nothing to differentiate
            for position in range(self.block_size):
                logits = self(token, position, cache)
                probabilities = softmax([logit * (1.0 / temperature) for logit in logits])
                token = random.choices(range(self.vocab_size), weights=[p.data for p in probabilities])[0]
                if token == vocabulary.bos:
                    break
                drawn.append(token)
        return vocabulary.decode(drawn)

    def architecture(self):
        return {"type": "GPT", "vocab_size": self.vocab_size, "n_embd": self.n_embd, "n_head": self.n_head,
                "n_layer": len(self.layers), "block_size": self.block_size}


class Block(nn.Module):
    """One transformer block: x + attention(rmsnorm(x)), then x + mlp(rmsnorm(x))."""

    def __init__(self, n_embd, n_head, std):
        self.n_head, self.head_dim = n_head, n_embd // n_head
        self.attn_wq = nn.Linear(n_embd, n_embd, bias=False, std=std)   # queries: what this position looks for
        self.attn_wk = nn.Linear(n_embd, n_embd, bias=False, std=std)   # keys: what each position offers
        self.attn_wv = nn.Linear(n_embd, n_embd, bias=False, std=std)   # values: what it passes on when chosen
        self.attn_wo = nn.Linear(n_embd, n_embd, bias=False, std=std)   # mixes the heads' outputs
        self.mlp_fc1 = nn.Linear(n_embd, 4 * n_embd, bias=False, std=std)
        self.mlp_fc2 = nn.Linear(4 * n_embd, n_embd, bias=False, std=std)

    def heads(self):
        """The slice of the 16 dimensions that each head reads and writes."""
        return [slice(h * self.head_dim, (h + 1) * self.head_dim) for h in range(self.n_head)]

    def query_key_value(self, x):
        """This position's query, key and value vectors, from the normalized residual stream."""
        h = nn.rmsnorm(x)
        return self.attn_wq(h), self.attn_wk(h), self.attn_wv(h)

    def __call__(self, x, keys, values):
        """The residual stream after this block, for one position; its key and value join the cache."""
        query, key, value = self.query_key_value(x)
        keys.append(key)
        values.append(value)
        mixed = []
        for part in self.heads():
            _, _, head_output = attend(query[part], [k[part] for k in keys], [v[part] for v in values])
            mixed += head_output
        x = [a + b for a, b in zip(x, self.attn_wo(mixed))]                # residual: add attention's output
        h = [u.relu() for u in self.mlp_fc1(nn.rmsnorm(x))]
        return [a + b for a, b in zip(x, self.mlp_fc2(h))]                 # residual: add the MLP's output


def attend(query, keys, values):
    """One attention head at one position: (scores, weights over the positions so far, weighted sum of values).

    score_s = query · key_s / √d, weights = softmax(scores), output_j = Σ_s weight_s · value_s[j].
    >>> q = [Value(1.0), Value(0.0)]
    >>> keys, values = [[Value(0.0), Value(0.0)]] * 2, [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    >>> scores, weights, output = attend(q, keys, values)
    >>> [w.data for w in weights], [o.data for o in output]          # equal scores: the mean of the values
    ([0.5, 0.5], [2.0, 3.0])
    """
    scale = 1.0 / math.sqrt(len(query))
    scores = [weighted_sum(query, key) * scale for key in keys]
    weights = softmax(scores)
    output = [weighted_sum(weights, [value[j] for value in values]) for j in range(len(query))]
    return scores, weights, output


# ---- training and sampling --------------------------------------------------------------------
def learning_rate(step, steps):
    """Adam's step size at `step` (0-based): LEARNING_RATE falling linearly to 0 at the end.

    >>> learning_rate(0, 1000), learning_rate(500, 1000)
    (0.01, 0.005)
    """
    return LEARNING_RATE * (1.0 - step / steps)


def train(model, vocabulary, names, steps, quiet=False):
    """Adam on one name per step, in order; returns (the loss before each step, nodes per step, seconds)."""
    optimizer = nn.Adam(model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPS)
    losses, nodes = [], []
    bar = _common.progress(steps, "gpt", quiet)
    start = time.perf_counter()
    with tape() as recorded:                    # backward walks the recorded nodes: no sort, no gc pauses
        for step in bar:
            loss = model.loss(vocabulary.encode(names[step % len(names)]))
            nodes.append(len(recorded.nodes))
            optimizer.zero_grad()
            loss.backward()
            optimizer.lr = learning_rate(step, steps)
            optimizer.step()
            losses.append(loss.data)
            bar.set_postfix(loss=f"{loss.data:.4f}", refresh=False)
    seconds = time.perf_counter() - start
    bar.close()
    return losses, nodes, seconds


def attention_head(model, vocabulary, name, position=None, head=0, component=0, layer=0):
    """Just one attention head at one position, as a small graph of its own; returns its output Value.

    The model runs (without a graph) on BOS + `name` up to `position` (default: the last character),
    and the head's query, keys and values there become labelled leaves: q{j}, and k{s}.{j} and
    v{s}.{j} for position s. From them: the scores s{s} = q·k_s/√d, the softmax (one logsumexp,
    then a{s} = exp(s{s} − logsumexp)), and output `component` j, Σ_s a{s}·v{s}.{j}, after backward.
    >>> random.seed(0); vocabulary = Vocabulary(["ab"]); model = GPT(vocabulary.size)
    >>> out = attention_head(model, vocabulary, "ab")
    >>> out.label, out.op, out.grad
    ('out0', 'w·x', 1.0)
    """
    tokens = vocabulary.encode(name)[:-1]                       # BOS and the characters: what the model reads
    position = len(tokens) - 1 if position is None else position
    if not 0 <= position < min(len(tokens), model.block_size):
        raise ValueError(f"position must be in 0 .. {min(len(tokens), model.block_size) - 1} for {name!r}")
    block = model.layers[layer]
    part = block.heads()[head]
    cache = model.new_cache()
    with no_grad():
        for earlier in range(position):
            model(tokens[earlier], earlier, cache)
        x = model.embed(tokens[position], position)
        for below, (keys, values) in zip(model.layers[:layer], cache):
            x = below(x, keys, values)
        query, key, value = block.query_key_value(x)
    keys = cache[layer][0] + [key]
    values = cache[layer][1] + [value]
    q = [Value(v.data, label=f"q{j}") for j, v in enumerate(query[part])]
    ks = [[Value(v.data, label=f"k{s}.{j}") for j, v in enumerate(k[part])] for s, k in enumerate(keys)]
    vs = [[Value(v.data, label=f"v{s}.{j}") for j, v in enumerate(value[part])] for s, value in enumerate(values)]
    scores, weights, output = attend(q, ks, vs)
    normalizer = weights[0].parents[0].parents[1]              # a0 = exp(s0 − lse): the softmax's logsumexp
    normalizer.label = "lse"
    for s, (score, weight) in enumerate(zip(scores, weights)):
        score.label, weight.label = f"s{s}", f"a{s}"           # the score of position s, the attention paid to it
    root = output[component]                                   # the drawing shows only what it depends on
    root.label = f"out{component}"
    root.backward()
    return root


def draw_attention(model, vocabulary, name, position=None, head=0, component=0, **draw_options):
    """`draw_dot` of `attention_head(...)`: the scores, the softmax and the weighted sum of one head.

    Its leaves are inputs here, not parameters, so none is drawn as one unless `params=` says so.
    """
    draw_options.setdefault("params", ())
    return draw_dot(attention_head(model, vocabulary, name, position, head, component), **draw_options)


def plot_losses(path, losses, vocab_size):
    """The loss at every step, its running mean over 100 steps, and ln(vocabulary size) (a uniform guess)."""
    figure = _common.new_figure(6.4, 4.0)
    axes = figure.add_subplot()
    steps = range(len(losses))
    axes.plot(steps, losses, color=_common.CLASS_COLOURS[4], linewidth=0.6, alpha=0.6, label="loss of the step's name")
    axes.plot(steps, running_mean(losses, 100), color=_common.CLASS_COLOURS[0], linewidth=1.8,
              label="mean of the last 100 steps")
    axes.axhline(math.log(vocab_size), color=_common.CLASS_COLOURS[1], linestyle="--",
                 label=f"ln {vocab_size}: guessing uniformly")
    axes.set_xlabel("step")
    axes.set_ylabel("cross-entropy (nats per token)")
    axes.set_title("GPT on names: training loss")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right")
    return _common.save_figure(figure, path)


def running_mean(numbers, window):
    """The mean of the last `window` numbers (fewer at the start) at every index.

    >>> running_mean([1.0, 3.0, 5.0], 2)
    [1.0, 2.0, 4.0]
    """
    means, total_so_far = [], 0.0
    for index, number in enumerate(numbers):
        total_so_far += number
        if index >= window:
            total_so_far -= numbers[index - window]
        means.append(total_so_far / min(index + 1, window))
    return means


def save_attention_drawing(folder, model, vocabulary, name):
    """Write the drawing of head 0 at the last character of `name` as SVG (drawn in Python, no Graphviz)."""
    return str(draw_attention(model, vocabulary, name, legend=True).save(folder / "attention_head.svg"))


def main(steps=1000, out_dir=None, seed=42, data=None, temperature=TEMPERATURE, samples=20, quiet=False):
    """Train the GPT on names, sample new ones, write the loss curve, history.json and the model.

    Returns the history: {"params", "vocab_size", "names", "steps", "losses", "nodes_per_step",
    "ms_per_step", "seconds", "final_mean_loss", "samples", "files", ...}.
    """
    _common.check_steps(steps)
    if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    names = census_names() if data is None else read_names(data)
    vocabulary = Vocabulary(names)
    random.seed(seed)
    model = GPT(vocabulary.size)
    random.shuffle(names)
    if not quiet:
        print(f"{len(names)} names from {data or 'the census lists of the `names` package'}; vocabulary "
              f"{vocabulary.size} tokens ({vocabulary.characters} and BOS); {len(model.parameters())} parameters",
              flush=True)
    losses, nodes, seconds = train(model, vocabulary, names, steps, quiet)
    drawn = [model.sample(vocabulary, temperature) for _ in range(samples)]
    folder = _common.output_folder(out_dir, "gpt")
    last = losses[-100:]
    history = {
        "params": len(model.parameters()), "vocab_size": vocabulary.size, "characters": vocabulary.characters,
        "data": str(data) if data is not None else "names package: " + " + ".join(CENSUS_FILES),
        "names": len(names), "steps": steps, "seed": seed, "temperature": temperature,
        "losses": losses, "nodes_per_step": statistics.mean(nodes), "seconds": seconds,
        "ms_per_step": 1000.0 * seconds / steps, "final_mean_loss": statistics.mean(last),
        "final_mean_over": len(last), "samples": drawn,
    }
    drawn_name = next(filter(None, drawn), names[0])
    files = {"loss_curve": plot_losses(folder / "loss_curve.png", losses, vocabulary.size),
             "model": str(nn.save(model, folder / "model.json")),
             "attention_head": save_attention_drawing(folder, model, vocabulary, drawn_name)}
    files["history"] = str(folder / "history.json")
    history["files"] = files
    (folder / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")
    if not quiet:
        print(f"loss {losses[0]:.4f} at step 1 (ln {vocabulary.size} = {math.log(vocabulary.size):.4f}), mean of the "
              f"last {len(last)} steps {history['final_mean_loss']:.4f}; {steps} steps in {seconds:.1f} s "
              f"({history['ms_per_step']:.1f} ms/step, {history['nodes_per_step']:.0f} nodes/step)")
        print(f"{samples} names sampled at temperature {temperature}:")
        for sample in drawn:
            print(f"  {sample}")
        for path in files.values():
            print(f"  wrote {path}")
        print(f"  (the attention drawing is head 0 at the last letter of {drawn_name!r})")
    return history


def _positive_number(text):
    """argparse type: a finite number > 0."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return number


def _extra_options(parser):
    parser.epilog = ("Writes into the --out folder: loss_curve.png (the plot), model.json (the model, which "
                     "nn.load reads back), attention_head.svg (a drawing of one attention head) and history.json "
                     "(the run's history: losses, timings, samples).")
    parser.add_argument("--data", metavar="FILE", help="a UTF-8 file with one name per line; names longer than 15 "
                        "characters are cut at the block size (default: the census first names of the `names` package)")
    parser.add_argument("--temperature", type=_positive_number, default=TEMPERATURE,
                        help=f"sampling temperature > 0; lower is safer, higher more varied (default {TEMPERATURE})")


if __name__ == "__main__":
    arguments = _common.parse_args("gpt", __doc__.splitlines()[0], steps=1000, seed=42, extra=_extra_options)
    try:
        main(steps=arguments.steps, out_dir=arguments.out, seed=arguments.seed, data=arguments.data,
             temperature=arguments.temperature, quiet=arguments.quiet)
    except DataError as error:
        sys.exit(f"python -m demos.gpt: {error}")
