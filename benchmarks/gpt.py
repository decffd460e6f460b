"""The GPT workload: training steps of the demo's GPT (nn parts, tape) against the same model in microgpt-style code.

The comparison is the model the way the famous scalar GPT writes it: weights as plain lists of lists
of Values, every dot product a `sum()` of binary products, a softmax of exp and division, the loss
as −log of a probability, Adam by hand. It runs on our own `Value`, so the difference measured is
the one the n-ary nodes (`weighted_sum`, `logsumexp`, `total`) and the tape make, not the engine.
Both start from the same weights and train on the same names, so their losses must agree.
"""
import random
import string

from autograd import Value, tape
from demos import gpt as demo

from .timing import Case, median, run_interleaved

OURS = "ours: demos.gpt (nn parts + tape)"
MICROGPT_STYLE = "microgpt-style binary ops, our Value"
# Census first names with the census mean length (6.0 characters), one per training step, in a cycle.
NAMES = ("rhoda", "toshia", "kathline", "winona", "carey")
TITLE = "GPT training: {steps} steps (one name each, Adam) of the demo's model, {params:,} parameters"


def initial_model(seed=0):
    """The demo's GPT on the 26 letters (27 tokens, 4,192 parameters), drawn with its own seed.

    The global `random` state is put back afterwards, so building the workload disturbs nothing.
    >>> model, vocabulary = initial_model()
    >>> len(model.parameters()), vocabulary.size
    (4192, 27)
    """
    saved = random.getstate()
    random.seed(seed)
    try:
        vocabulary = demo.Vocabulary([string.ascii_lowercase])
        model = demo.GPT(vocabulary.size)
    finally:
        random.setstate(saved)
    return model, vocabulary


# ---- microgpt-style: the same model written with plain lists and binary ops -----------------------
def plain_matrices(model):
    """The model's weights as microgpt-style plain matrices of fresh Values: {name: rows of Values}."""
    matrices = {"wte": model.wte.weight, "wpe": model.wpe.weight, "lm_head": model.lm_head.weight}
    for index, block in enumerate(model.layers):
        for part in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2"):
            matrices[f"layer{index}.{part}"] = getattr(block, part).weight
    return {name: [[Value(w.data) for w in row] for row in rows] for name, rows in matrices.items()}


def plain_linear(x, rows):
    """W x as one sum of binary products per row: 2·nin nodes per output."""
    return [sum(w * xi for w, xi in zip(row, x)) for row in rows]


def plain_softmax(logits):
    """exp(l − max) / Σ exp(l − max), entry by entry."""
    largest = max(logit.data for logit in logits)
    exps = [(logit - largest).exp() for logit in logits]
    denominator = sum(exps)
    return [e / denominator for e in exps]


def plain_rmsnorm(x):
    """x / sqrt(mean(x²) + 1e-5) with binary ops."""
    mean_square = sum(xi * xi for xi in x) / len(x)
    scale = (mean_square + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def plain_logits(matrices, token, position, keys, values, n_head=demo.N_HEAD):
    """The next-token logits at one position; `keys` and `values` hold, per layer, the positions seen."""
    x = plain_rmsnorm([t + p for t, p in zip(matrices["wte"][token], matrices["wpe"][position])])
    head_dim = len(x) // n_head
    for layer in range(len(keys)):
        weights = {part: matrices[f"layer{layer}.{part}"]
                   for part in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")}
        residual = x
        x = plain_rmsnorm(x)
        q, k, v = (plain_linear(x, weights[part]) for part in ("attn_wq", "attn_wk", "attn_wv"))
        keys[layer].append(k)
        values[layer].append(v)
        attended = []
        for head in range(n_head):
            start = head * head_dim
            scores = [sum(q[start + j] * key[start + j] for j in range(head_dim)) / head_dim ** 0.5
                      for key in keys[layer]]
            attention = plain_softmax(scores)
            attended += [sum(attention[t] * values[layer][t][start + j] for t in range(len(attention)))
                         for j in range(head_dim)]
        x = [a + r for a, r in zip(plain_linear(attended, weights["attn_wo"]), residual)]
        residual = x
        hidden = [h.relu() for h in plain_linear(plain_rmsnorm(x), weights["mlp_fc1"])]
        x = [m + r for m, r in zip(plain_linear(hidden, weights["mlp_fc2"]), residual)]
    return plain_linear(x, matrices["lm_head"])


def plain_loss(matrices, tokens, n_layer=demo.N_LAYER, block_size=demo.BLOCK_SIZE):
    """The mean over positions of −log p(next token), with p from plain_softmax."""
    positions = min(block_size, len(tokens) - 1)
    keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
    losses = []
    for position in range(positions):
        probabilities = plain_softmax(plain_logits(matrices, tokens[position], position, keys, values))
        losses.append(-probabilities[tokens[position + 1]].log())
    return (1.0 / positions) * sum(losses)


def plain_training(matrices, vocabulary, names, steps):
    """`steps` steps of Adam written out by hand (the demo's betas, eps and lr schedule); the losses."""
    params = [w for rows in matrices.values() for row in rows for w in row]
    beta1, beta2 = demo.BETAS
    m, v = [0.0] * len(params), [0.0] * len(params)
    losses = []
    for step in range(steps):
        loss = plain_loss(matrices, vocabulary.encode(names[step % len(names)]))
        for p in params:
            p.grad = 0.0
        loss.backward()
        lr = demo.learning_rate(step, steps)
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat ** 0.5 + demo.EPS)
        losses.append(loss.data)
    return losses


# ---- the cases and the section --------------------------------------------------------------------
def cases(steps, seed=0):
    """The two timing Cases, each `steps` training steps from the same initial weights on NAMES."""
    model, vocabulary = initial_model(seed)
    initial = model.state_dict()
    names = list(NAMES)

    def prepare_ours():
        return model.load_state_dict(initial)

    def run_ours(gpt_model):
        losses, _, _ = demo.train(gpt_model, vocabulary, names, steps, quiet=True)
        return losses

    def prepare_plain():
        return plain_matrices(model.load_state_dict(initial))

    def run_plain(matrices):
        return plain_training(matrices, vocabulary, names, steps)

    return [Case(OURS, prepare=prepare_ours, run=run_ours), Case(MICROGPT_STYLE, prepare=prepare_plain, run=run_plain)]


def nodes_per_step(seed=0, names=NAMES):
    """{implementation: mean number of nodes one step's loss builds over `names`}, counted on a tape.

    >>> counts = nodes_per_step(names=["ada"])
    >>> counts[MICROGPT_STYLE] > 10 * counts[OURS]
    True
    """
    model, vocabulary = initial_model(seed)
    matrices = plain_matrices(model)
    counts = {OURS: [], MICROGPT_STYLE: []}
    for name in names:
        tokens = vocabulary.encode(name)
        for implementation, loss in ((OURS, model.loss), (MICROGPT_STYLE, lambda t: plain_loss(matrices, t))):
            with tape() as recorded:
                loss(tokens)
                counts[implementation].append(len(recorded.nodes))
    return {implementation: sum(found) / len(found) for implementation, found in counts.items()}


def section(config, max_difference):
    """Run the GPT workload interleaved; the report's section, with nodes per step and ms per step in notes."""
    steps = config["gpt_steps"]
    workload = cases(steps, config["seed"])
    times, results = run_interleaved(workload, config["repeats"], disable_gc=config["disable_gc"])
    nodes = nodes_per_step(config["seed"])
    ms = {name: 1000.0 * median(samples) / steps for name, samples in times.items()}
    notes = [f"per step: ours {ms[OURS]:.1f} ms and {nodes[OURS]:,.0f} nodes; microgpt-style "
             f"{ms[MICROGPT_STYLE]:.1f} ms and {nodes[MICROGPT_STYLE]:,.0f} nodes "
             f"({nodes[MICROGPT_STYLE] / nodes[OURS]:.1f}× the nodes, {ms[MICROGPT_STYLE] / ms[OURS]:.1f}× the time)"]
    return {"title": TITLE.format(steps=steps, params=len(initial_model()[0].parameters())),
            "implementations": [case.name for case in workload], "seconds": times,
            "max_relative_difference": max_difference(workload, results),
            "nodes_per_step": nodes, "ms_per_step": ms, "notes": notes}

