"""Exercises: `exercise(level, seed)` poses graphs with friendly numbers to practise backprop on, the seeds' networks among them."""
import math
import random

from ...core.engine import Value
from ..text import as_token, formula, shown
from .checker import PracticeGraph, check, close


# ---- exercises ---------------------------------------------------------------------------------
class Exercise:
    """A graph to practise on: `.root`, `.asked` (the Values to differentiate, in backward order),
    `.names`, `.check(answers)`; `str()` shows the forward pass the learner works from.

    >>> a = Value(2.0, label="a"); b = Value(4.0, label="b"); L = a * b; L.label = "L"
    >>> exercise = Exercise(L, title="a product")
    >>> [exercise.names[v] for v in exercise.asked], exercise.check({"a": 4.0, "b": 2.0}).ok
    (['b', 'a'], True)
    """

    data = None               # for a seed network: its inputs and targets, as demos.seed_networks takes them

    def __init__(self, root, asked=None, title="", level=None, seed=None):
        graph = PracticeGraph(root)
        if asked is None:
            chosen = {node for node in graph.order if node is not root}
        else:
            chosen = {graph.node(key, "asked") for key in asked}
        self.root, self.title, self.level, self.seed = root, title, level, seed
        self.names = graph.names
        self.asked = [node for node in graph.order if node in chosen]
        self._graph = graph

    def __reduce__(self):
        """Pickled as the root and the asked nodes' names: a graph unpickles as new Values (see Value.__reduce_ex__)."""
        return _rebuilt_exercise, (self.root, [self.names[node] for node in self.asked], self.title, self.level,
                                   self.seed, self.data)

    def check(self, answers):
        """`check(root, answers)`, with every asked node not answered marked "missing"."""
        return check(self.root, answers, asked=self.asked)

    def answer_key(self):
        """{name: true ∂root/∂node} for the asked nodes, in backward order (for teachers and tests)."""
        return {self.names[node]: self._graph.true[node] for node in self.asked}

    def blank(self):
        """{name: None} for the asked nodes: an answer sheet to fill in."""
        return {self.names[node]: None for node in self.asked}

    def forward_lines(self):
        """The forward pass as text, inputs first: 'n = x1*w1 + x2*w2 + b = 0.8814' (a node whose label is
        its formula, such as 'x1*w1 + x2*w2', is named once: 'x1*w1 + x2*w2 = -6.000')."""
        lines = []
        for node in reversed(self._graph.order):
            name = self.names[node]
            made = "" if node.is_leaf() else formula(node, self.names)
            if made and made != name:                           # a label that says how it is made: once
                lines.append(f"{name} = {made} = {shown(node.data)}")
            else:
                lines.append(f"{name} = {shown(node.data)}")
        return lines

    def formula(self, node):
        """How `node` was made, in its parents' names: 'x1*w1 + x2*w2 + b' ('' for a leaf)."""
        return "" if node.is_leaf() else formula(node, self.names)

    def question(self, node):
        """'δ(n) = ∂o/∂n': how the gradient of an asked node is asked for."""
        token = as_token(self.names[node])
        return f"δ({self.names[node]}) = ∂{as_token(self.names[self.root])}/∂{token}"

    def __str__(self):
        head = self.title or "Exercise"
        asked = ", ".join(self.names[node] for node in self.asked)
        return "\n".join([head, "forward pass:"] + [f"  {line}" for line in self.forward_lines()] +
                         [f"give ∂{self.names[self.root]}/∂v for: {asked}"])

    __repr__ = __str__


def _rebuilt_exercise(root, asked, title, level, seed, data):
    exercise = Exercise(root, asked, title, level, seed)
    exercise.data = data
    return exercise


LEVELS = {1: "one op", 2: "a chain", 3: "a Value used more than once", 4: "a tanh neuron",
          5: "a 2-2-1 network with a squared error"}
SEED_EXERCISES = ("delta_rule", "one_path", "drummyfish")
FACTORS = (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
WEIGHTS = (-1.5, -1.0, -0.8, -0.6, -0.5, -0.4, -0.2, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5)
TANH_OUTPUTS = (-0.8, -0.6, -0.5, -0.4, 0.4, 0.5, 0.6, 0.8)
SIGMOID_OUTPUTS = (0.2, 0.25, 0.4, 0.6, 0.75, 0.8)
SEPARATION = 2e-2            # every slip's number differs from the answer, and from other slips, by 2 %


def exercise(level, seed=0):
    """An exercise of `level` (1 one op, 2 a chain, 3 a Value used more than once, 4 a tanh neuron, 5 a
    2-2-1 network with a squared error), or one of the seeds' networks by name ("delta_rule",
    "one_path", "drummyfish"). Seeded and deterministic; friendly numbers; every slip distinguishable.

    >>> e = exercise(1, seed=0)
    >>> e.check(e.answer_key()).ok, exercise(1, seed=0).answer_key() == e.answer_key()
    (True, True)
    """
    builders = {1: _one_op_from, 2: _chain, 3: _reuse, 4: _neuron, 5: _two_two_one,
                "delta_rule": _delta_rule, "one_path": _one_path, "drummyfish": _drummyfish}
    if isinstance(level, bool) or level not in builders:
        raise ValueError(f"exercise: level must be 1 to 5 or one of {', '.join(SEED_EXERCISES)}, got {level!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"exercise: seed must be an int, got {type(seed).__name__}")
    if level == 1:                  # few enough to list: seeds take the kinds in turn, then a shuffled list of each
        kind = ONE_OPS[seed % len(ONE_OPS)]
        specs = _one_op_specs(kind)
        start = (seed // len(ONE_OPS)) % len(specs)
        candidates = iter([_one_op_from(spec) for spec in specs[start:] + specs[:start]])
    else:
        rng = random.Random(f"practice {level} {seed}")
        candidates = (builders[level](rng) for _ in range(2000))
    for root, asked, title, *data in candidates:
        candidate = Exercise(root, asked, title=f"{title} (level {level}, seed {seed})"
                             if isinstance(level, int) else f"{title} (seed {seed})", level=level, seed=seed)
        candidate.data = data[0] if data else None             # a seed network's inputs and targets
        if is_fair(candidate):
            return candidate
    raise RuntimeError(f"exercise: found no fair exercise for level {level!r}, seed {seed}")  # pragma: no cover


def is_fair(exercise):
    """True when every asked gradient is clearly nonzero, every slip's number is far (2 %) from the answer
    and from the other slips', and a learner computing by hand from the shown numbers gets all right.

    >>> a = Value(2.0, label="a"); L = a * a; L.label = "L"      # 2a: leaving a use out gives a, the sign -2a
    >>> is_fair(Exercise(L)), is_fair(exercise(4, seed=3))
    (True, True)
    >>> c, d = Value(2.0, label="c"), Value(-2.0, label="d"); M = c * d; M.label = "M"
    >>> is_fair(Exercise(M))                                   # ∂M/∂c = -2: a sign slip and a swap both give 2
    False
    """
    graph = exercise._graph
    for node in exercise.asked:
        expected = graph.true[node]
        if abs(expected) < 1e-3:
            return False
        seen = []
        for kind, value, _ in graph.slips(node, graph.true.__getitem__):
            if close(value, expected):                          # this slip gives the right number: harmless
                continue
            if _near(value, expected) or any(_near(value, other) and other_kind != kind for other_kind, other in seen):
                return False
            seen.append((kind, value))
    return exercise.check(by_hand(exercise)).ok


def _near(a, b):
    return math.isclose(a, b, rel_tol=SEPARATION, abs_tol=1e-4)


def by_hand(exercise):
    """The answers of a careful learner: each from the shown forward numbers and their own earlier answers
    rounded to 4 significant digits. `is_fair` requires that these are all right.

    >>> by_hand(exercise(4, seed=0))["n"]                      # 1 − o² with o = −0.5
    0.75
    """
    hand = exercise._graph.by_hand
    return {exercise.names[node]: hand[node] for node in exercise.asked}


def _named(node, label):
    node.label = label
    return node


ONE_OPS = ("product", "quotient", "square", "cube", "hyperbolic tangent", "logistic")
DIVISORS = (-4.0, -2.0, -0.5, 0.5, 2.0, 4.0, 5.0)


def _one_op_specs(kind):
    """Every level-1 exercise of one kind, as (kind, first number, second number), in a fixed shuffled order."""
    if kind in ("product", "quotient"):
        specs = [(kind, a, b) for a in FACTORS for b in (FACTORS if kind == "product" else DIVISORS)]
    elif kind in ("square", "cube"):
        specs = [(kind, a, None) for a in FACTORS]
    else:
        specs = [(kind, y, None) for y in (TANH_OUTPUTS if kind == "hyperbolic tangent" else SIGMOID_OUTPUTS)]
    random.Random(f"practice level 1 {kind}").shuffle(specs)
    return specs


def _one_op_from(spec):
    """(root, asked, title) of one level-1 exercise: `L = a * b`, `a / b`, `a ** 2`, `a ** 3`, `tanh(x)`, `σ(x)`."""
    kind, first, second = spec
    a, b = Value(first, label="a"), Value(second if second is not None else 0.0, label="b")
    if kind == "product":
        return _named(a * b, "L"), None, "One op: L = a * b"
    if kind == "quotient":
        return _named(a / b, "L"), None, "One op: L = a / b"
    if kind == "square":
        return _named(a ** 2, "L"), None, "One op: L = a ** 2"
    if kind == "cube":
        return _named(a ** 3, "L"), None, "One op: L = a ** 3"
    if kind == "hyperbolic tangent":
        x = Value(math.atanh(first), label="x")
        return _named(x.tanh(), "y"), None, "One op: y = tanh(x)"
    x = Value(_logit(first), label="x")
    return _named(x.sigmoid(), "y"), None, "One op: y = σ(x)"


def _logit(p):
    return math.log(p / (1.0 - p))


def _chain(rng):
    if rng.random() < 0.5:                                     # micrograd's first example, new numbers
        a, b = Value(rng.choice(FACTORS), label="a"), Value(rng.choice(FACTORS), label="b")
        c, f = Value(rng.choice(FACTORS), label="c"), Value(rng.choice(FACTORS), label="f")
        e = _named(a * b, "e")
        d = _named(e + c, "d")
        return _named(d * f, "L"), None, "A chain: e = a * b, d = e + c, L = d * f"
    x, w = Value(rng.choice(FACTORS), label="x"), Value(rng.choice(WEIGHTS), label="w")
    y_target = rng.choice(TANH_OUTPUTS)
    p = _named(w * x, "p")
    b = Value(math.atanh(y_target) - p.data, label="b")
    n = _named(p + b, "n")
    y = _named(n.tanh(), "y")
    t = Value(rng.choice((-1.0, -0.5, 0.0, 0.5, 1.0)), label="t")
    e = _named(y - t, "e")
    return _named(e ** 2, "L"), [e, y, n, b, p, w, x], "A chain: p = w * x, n = p + b, y = tanh(n), e = y - t, L = e ** 2"


def _reuse(rng):
    kind = rng.randrange(3)
    a, b = Value(rng.choice(FACTORS), label="a"), Value(rng.choice(FACTORS), label="b")
    if kind == 0:
        e = _named(a * b, "e")
        d = _named(e + a, "d")
        return _named(d * b, "L"), None, "A Value used more than once: e = a * b, d = e + a, L = d * b"
    if kind == 1:
        s = _named(a + b, "s")
        return _named(s * s, "L"), None, "A Value used more than once: s = a + b, L = s * s"
    q = _named(a * a, "q")
    return _named(q * b + a, "L"), None, "A Value used more than once: q = a * a, L = q * b + a"


def _neuron(rng):
    x1, x2 = Value(rng.choice(FACTORS), label="x1"), Value(rng.choice(FACTORS), label="x2")
    w1, w2 = Value(rng.choice(WEIGHTS), label="w1"), Value(rng.choice(WEIGHTS), label="w2")
    x1w1, x2w2 = _named(x1 * w1, "x1*w1"), _named(x2 * w2, "x2*w2")
    total = _named(x1w1 + x2w2, "x1*w1 + x2*w2")
    b = Value(math.atanh(rng.choice(TANH_OUTPUTS)) - total.data, label="b")
    n = _named(total + b, "n")
    return _named(n.tanh(), "o"), None, "A tanh neuron: n = x1*w1 + x2*w2 + b, o = tanh(n)"


def _sigmoid_layer(rng, inputs, weight_names, outputs, net_names, out_names, bias_names=None):
    """Logistic neurons with friendly outputs: each neuron's bias is what makes its output a short decimal."""
    made = []
    for j, (net_name, out_name) in enumerate(zip(net_names, out_names)):
        weights = [Value(rng.choice(WEIGHTS), label=weight_names[j][i]) for i in range(len(inputs))]
        products = [w * x for w, x in zip(weights, inputs)]
        total = products[0]
        for product in products[1:]:
            total = total + product
        if bias_names is not None:
            target = rng.choice(outputs)
            bias = Value(_logit(target) - total.data, label=bias_names[j])
            total = total + bias
        made.append(_named(_named(total, net_name).sigmoid(), out_name))
    return made


def _two_two_one(rng):
    """A 2-2-1 logistic network in seed 000's notation (w_ij from neuron i to j, net_j, o_j), E = ½(t − o_5)²."""
    x = [Value(rng.choice((-1.0, -0.5, 0.5, 1.0, 2.0)), label=f"x_{i}") for i in (1, 2)]
    hidden = _sigmoid_layer(rng, x, [["w13", "w23"], ["w14", "w24"]], SIGMOID_OUTPUTS,
                            ["net_3", "net_4"], ["o_3", "o_4"], ["b_3", "b_4"])
    (out,) = _sigmoid_layer(rng, hidden, [["w35", "w45"]], SIGMOID_OUTPUTS, ["net_5"], ["o_5"], ["b_5"])
    t = rng.choice((0.0, 0.5, 1.0))
    E = _named(0.5 * (t - out) ** 2, "E")
    asked = ["o_5", "net_5", "w35", "w45", "b_5", "o_3", "o_4", "net_3", "net_4", "w13", "w23", "w14", "w24"]
    return E, asked, f"A 2-2-1 network, E = ½(t − o_5)² with t = {t:g} (seed 000's notation)"


def _delta_rule(rng):
    """Seed 000's 2-2-2-1 logistic network without biases, as its text writes it: net_j = Σ_k w_kj o_k."""
    x = [Value(rng.choice((-1.0, -0.5, 0.5, 1.0)), label=f"x_{i}") for i in (1, 2)]
    first = _sigmoid_layer(rng, x, [["w13", "w23"], ["w14", "w24"]], None, ["net_3", "net_4"], ["o_3", "o_4"])
    second = _sigmoid_layer(rng, first, [["w35", "w45"], ["w36", "w46"]], None, ["net_5", "net_6"], ["o_5", "o_6"])
    (out,) = _sigmoid_layer(rng, second, [["w57", "w67"]], None, ["net_7"], ["o_7"])
    t = rng.choice((0.0, 0.25, 0.5, 0.75, 1.0))
    E = _named(0.5 * (t - out) ** 2, "E")
    asked = ["o_7", "net_7", "w57", "w67", "o_5", "o_6", "net_5", "net_6", "w35", "w45", "w36", "w46"]
    return (E, asked, f"Seed 000, the delta rule: a 2-2-2-1 logistic network, E = ½(t − o_7)² with t = {t:g}",
            ((x[0].data, x[1].data), t))


def _one_path(rng):
    """Seed 001's one-path network: s_j = w1 x, z_j = σ(s_j), s_k = w2 z_j, z_k = σ(s_k), ŷ = w3 z_k, E = ½(ŷ − y)²."""
    x = rng.choice((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0))
    y = rng.choice((-1.0, -0.5, 0.0, 0.5, 1.0))
    w1, w2, w3 = (Value(rng.choice(FACTORS), label=name) for name in ("w1", "w2", "w3"))
    s_j = _named(w1 * x, "s_j")
    z_j = _named(s_j.sigmoid(), "z_j")
    s_k = _named(w2 * z_j, "s_k")
    z_k = _named(s_k.sigmoid(), "z_k")
    y_hat = _named(w3 * z_k, "ŷ")
    E = _named(0.5 * (y_hat - y) ** 2, "E")
    return E, ["ŷ", "w3", "z_k", "s_k", "w2", "z_j", "s_j", "w1"], \
        f"Seed 001, the one-path network: x = {x:g}, y = {y:g}, E = ½(ŷ − y)²", (x, y)


def _drummyfish(rng):
    """Seed 003's 2-2-2 logistic network without biases: y0s = w000 x0 + w010 x1, y0 = a(y0s), ..., E = Σ ½(z − z_desired)²."""
    x0, x1 = (rng.choice((-1.0, -0.5, 0.5, 1.0)) for _ in range(2))
    desired = [rng.choice((0.0, 0.5, 1.0)) for _ in range(2)]
    w = {f"w{l}{a}{b}": Value(rng.choice(WEIGHTS), label=f"w{l}{a}{b}") for l in (0, 1) for a in (0, 1) for b in (0, 1)}
    y = [_named(_named(w[f"w00{b}"] * x0 + w[f"w01{b}"] * x1, f"y{b}s").sigmoid(), f"y{b}") for b in (0, 1)]
    z = [_named(_named(w[f"w10{b}"] * y[0] + w[f"w11{b}"] * y[1], f"z{b}s").sigmoid(), f"z{b}") for b in (0, 1)]
    squared = [0.5 * (z[b] - desired[b]) ** 2 for b in (0, 1)]
    E = _named(squared[0] + squared[1], "E")
    asked = ["z0", "z1", "z0s", "z1s", "w100", "w110", "w101", "w111", "y0", "y1", "y0s", "y1s",
             "w000", "w010", "w001", "w011"]
    return E, asked, (f"Seed 003, drummyfish's 2-2-2 network: x0 = {x0:g}, x1 = {x1:g}, "
                      f"z0_desired = {desired[0]:g}, z1_desired = {desired[1]:g}"), ((x0, x1), tuple(desired))
