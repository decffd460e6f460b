"""The seed documents' example networks, built from Values, beside the gradient formulas their text derives.

Each `SeedNetwork` has a forward pass written once in the seed's own notation; it runs on plain floats,
on `Value`s and on torch tensors alike (it only uses + − * / **, `sigmoid` and `tanh`). `run()` builds
the network from Values, backpropagates, and evaluates the seed's closed-form formulas with plain
floats, giving one `Check` per quantity: the formula's value beside the engine's `.grad`.
"""
import math
from dataclasses import dataclass, field, replace
from typing import Callable

from autograd import Value, numerical_grad

CLOSED_FORM_TOLERANCE = dict(rel_tol=1e-12, abs_tol=1e-14)   # two float orders of the same sum
FINITE_DIFFERENCE_STEP = 1e-6
FINITE_DIFFERENCE_TOLERANCE = dict(rel_tol=1e-6, abs_tol=1e-9)  # rounding ~ε E/h ≈ 1e-10, truncation ~h²


# ---- the pieces every forward pass uses -------------------------------------------------------------
def sigmoid(z):
    """The logistic function φ(z) = 1 / (1 + e^(−z)) of a number, a Value or a torch tensor.

    >>> sigmoid(0.0), sigmoid(Value(0.0)).data
    (0.5, 0.5)
    """
    if isinstance(z, (int, float)):
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0.0 else math.exp(z) / (1.0 + math.exp(z))
    return z.sigmoid()


def tanh(z):
    """tanh of a number, a Value or a torch tensor.

    >>> tanh(0.0), tanh(Value(0.0)).data
    (0.0, 0.0)
    """
    if isinstance(z, (int, float)):
        return math.tanh(z)
    return z.tanh()


def _total(terms):
    """The sum of a non-empty sequence, starting from its first term (no 0 + ... node)."""
    terms = list(terms)
    result = terms[0]
    for term in terms[1:]:
        result = result + term
    return result


def _keep(nodes, label, node):
    """Record `node` under the seed's name `label` (and give it that label when it is a Value)."""
    if type(node) is Value:
        node.label = label
    nodes[label] = node
    return node


# ---- the result of running a network ------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One quantity from a seed's text: its formula, the formula's value, and the engine's value.

    `node` names the Value whose `.grad` is the engine's number. `expect_match=False` marks a
    formula printed wrongly in the seed (an erratum): it is shown to differ.
    >>> check = Check("∂E/∂w", "x δ", 0.25, "w", engine_value=0.25)
    >>> check.matches, check.as_expected
    (True, True)
    """
    name: str
    formula: str
    formula_value: float
    node: str
    engine_value: float = math.nan
    expect_match: bool = True
    detail: bool = False             # an intermediate quantity: the demo lists it only with --all
    rel_tol: float = CLOSED_FORM_TOLERANCE["rel_tol"]
    abs_tol: float = CLOSED_FORM_TOLERANCE["abs_tol"]

    @property
    def matches(self):
        """The formula's value equals the engine's `.grad` within the tolerance."""
        return math.isclose(self.formula_value, self.engine_value, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    @property
    def as_expected(self):
        """A correct formula matches; an erratum (`expect_match=False`) does not."""
        return self.matches == self.expect_match


@dataclass
class Example:
    """A seed network after `run()`: its error Value, every labelled node, the checks and notes."""
    network: "SeedNetwork"
    error: Value
    nodes: dict
    checks: list
    notes: list = field(default_factory=list)


@dataclass(frozen=True)
class SeedNetwork:
    """A seed's example network: its forward pass, its closed-form gradients, and default numbers."""
    seed: str                        # "000".."003": which seed document
    title: str
    intro: tuple                     # lines shown above the table
    forward: Callable                # (params, data) -> (E, {label: node}); floats, Values or tensors
    closed_forms: Callable           # (params, data) -> [Check] evaluated with plain floats
    params: dict                     # default weights, {seed's name: number}
    data: object                     # default inputs and targets
    make_data: Callable              # random.Random -> data of the same shape
    notes: Callable = None           # (params, data) -> [str] shown below the table

    def run(self, params=None, data=None):
        """Build the network from Values, backpropagate E, and compare with the closed forms.

        >>> example = ONE_PATH.run()
        >>> all(check.as_expected for check in example.checks)
        True
        """
        params = self.check_params(self.params if params is None else params)
        data = self.data if data is None else data
        values = {name: Value(number, label=name) for name, number in params.items()}
        error, nodes = self.forward(values, data)
        error.backward()
        nodes = {**values, **nodes}
        checks = [replace(check, engine_value=nodes[check.node].grad) for check in self.closed_forms(params, data)]
        notes = list(self.notes(params, data)) if self.notes else []
        return Example(self, error, nodes, checks, notes)

    def check_params(self, params):
        """`params` as {name: float}, or an error naming the missing, unknown or non-numeric parameter.

        >>> ONE_PATH.check_params({"w1": 1.0, "w2": 2.0})
        Traceback (most recent call last):
        ...
        ValueError: one-path network: missing parameter(s) w3
        """
        if not isinstance(params, dict):
            raise TypeError(f"{self.title}: params must be a dict {{name: number}}, got {type(params).__name__}")
        missing = [name for name in self.params if name not in params]
        unknown = [name for name in params if name not in self.params]
        if missing:
            raise ValueError(f"{self.title}: missing parameter(s) {', '.join(missing)}")
        if unknown:
            raise ValueError(f"{self.title}: unknown parameter(s) {', '.join(map(str, unknown))}; "
                             f"expected {', '.join(self.params)}")
        for name, number in params.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise TypeError(f"{self.title}: parameter {name} must be a number, got {number!r}")
            if not math.isfinite(number):
                raise ValueError(f"{self.title}: parameter {name} must be finite, got {number!r}")
        return {name: float(params[name]) for name in self.params}

    def random_params(self, rng, scale=1.5):
        """Weights drawn uniformly from [−scale, scale], with the same names as the defaults."""
        return {name: rng.uniform(-scale, scale) for name in self.params}


# ---- seed 000: Wikipedia's delta rule ------------------------------------------------------------------
# Neurons are numbered; w_ij is the weight from neuron i to neuron j, net_j = Σ_k w_kj o_k, o_j = φ(net_j).
# Inputs 1, 2 (o_i = x_i); inner neurons 3, 4 and 5, 6 (each feeds both neurons of the next layer);
# one output neuron 7, as the text assumes, so E = ½(t − o_7)².
DELTA_RULE_LAYERS = ((1, 2), (3, 4), (5, 6), (7,))


def delta_rule_error(params, data):
    """E = ½(t − y)² of the 2-2-2-1 logistic network; `data` is ((x_1, x_2), t).

    >>> E, nodes = delta_rule_error(dict.fromkeys(DELTA_RULE.params, 0.0), ((1.0, 2.0), 1.0))
    >>> nodes["o_7"], E
    (0.5, 0.125)
    """
    inputs, target = data
    nodes, o = {}, dict(zip(DELTA_RULE_LAYERS[0], inputs))
    for previous, layer in zip(DELTA_RULE_LAYERS, DELTA_RULE_LAYERS[1:]):
        for j in layer:
            net = _keep(nodes, f"net_{j}", _total(params[f"w{k}{j}"] * o[k] for k in previous))
            o[j] = _keep(nodes, f"o_{j}", sigmoid(net))
    (output,) = DELTA_RULE_LAYERS[-1]
    return _keep(nodes, "E", 0.5 * (target - o[output]) ** 2), nodes


def _delta_rule_signals(params, data):
    """The outputs o_j and the error signals δ_j by the text's recursion, as floats."""
    inputs, target = data
    _, nodes = delta_rule_error(params, data)
    o = {**dict(zip(DELTA_RULE_LAYERS[0], inputs)),
         **{j: nodes[f"o_{j}"] for layer in DELTA_RULE_LAYERS[1:] for j in layer}}
    (output,) = DELTA_RULE_LAYERS[-1]
    delta = {output: (o[output] - target) * o[output] * (1.0 - o[output])}
    for layer, following in reversed(list(zip(DELTA_RULE_LAYERS[1:-1], DELTA_RULE_LAYERS[2:]))):
        for j in layer:
            delta[j] = sum(params[f"w{j}{l}"] * delta[l] for l in following) * o[j] * (1.0 - o[j])
    return o, delta


def _delta_rule_checks(params, data):
    _, target = data
    o, delta = _delta_rule_signals(params, data)
    (output,) = DELTA_RULE_LAYERS[-1]
    checks = [Check(f"∂E/∂o_{output}", f"y − t  (y = o_{output})", o[output] - target, f"o_{output}", detail=True),
              Check(f"δ_{output} = ∂E/∂net_{output}", f"(o_{output} − t) o_{output} (1 − o_{output})",
                    delta[output], f"net_{output}")]
    for layer, following in reversed(list(zip(DELTA_RULE_LAYERS[1:-1], DELTA_RULE_LAYERS[2:]))):
        for j in layer:
            incoming = " + ".join(f"w_{j}{l} δ_{l}" for l in following)
            checks.append(Check(f"∂E/∂o_{j}", f"Σ_ℓ w_{j}ℓ δ_ℓ = {incoming}",
                                sum(params[f"w{j}{l}"] * delta[l] for l in following), f"o_{j}", detail=True))
            checks.append(Check(f"δ_{j} = ∂E/∂net_{j}", f"({incoming}) o_{j} (1 − o_{j})", delta[j], f"net_{j}"))
    for previous, layer in zip(DELTA_RULE_LAYERS, DELTA_RULE_LAYERS[1:]):
        source = "x" if previous == DELTA_RULE_LAYERS[0] else "o"
        for j in layer:
            for i in previous:
                checks.append(Check(f"∂E/∂w_{i}{j}", f"{source}_{i} δ_{j}", o[i] * delta[j], f"w{i}{j}"))
    return checks


def delta_rule_step(params, data, learning_rate):
    """One gradient-descent step Δw_ij = −η o_i δ_j on every weight: (new weights, E before, E after).

    >>> new, before, after = delta_rule_step(DELTA_RULE.params, DELTA_RULE.data, 0.5)
    >>> after < before
    True
    """
    o, delta = _delta_rule_signals(params, data)
    new = {name: w - learning_rate * o[int(name[1])] * delta[int(name[2])] for name, w in params.items()}
    return new, delta_rule_error(params, data)[0], delta_rule_error(new, data)[0]


def _delta_rule_notes(params, data):
    learning_rate = 0.5
    _, before, after = delta_rule_step(params, data, learning_rate)
    verdict = "lower ✓" if after < before else "NOT lower"
    return [f"One step Δw_ij = −η o_i δ_j with η = {learning_rate} on all {len(params)} weights: "
            f"E {before:.9f} → {after:.9f} ({verdict})."]


def _delta_rule_data(rng):
    return (rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.uniform(0.05, 0.95)


# ---- seed 001: Dolhansky's one-path network, its multiple-input and multiple-output cases, minibatch ---
def one_path_error(params, data):
    """E = ½(ŷ − y)² for s_j = w1 x, z_j = σ(s_j), s_k = w2 z_j, z_k = σ(s_k), ŷ = w3 z_k; `data` is (x, y).

    >>> E, nodes = one_path_error({"w1": 0.0, "w2": 0.0, "w3": 2.0}, (1.0, 0.0))
    >>> nodes["z_k"], nodes["ŷ"], E
    (0.5, 1.0, 0.5)
    """
    x, y = data
    nodes = {}
    s_j = _keep(nodes, "s_j", params["w1"] * x)
    z_j = _keep(nodes, "z_j", sigmoid(s_j))
    s_k = _keep(nodes, "s_k", params["w2"] * z_j)
    z_k = _keep(nodes, "z_k", sigmoid(s_k))
    y_hat = _keep(nodes, "ŷ", params["w3"] * z_k)          # s_o: the output unit is linear, so ŷ = s_o
    return _keep(nodes, "E", 0.5 * (y_hat - y) ** 2), nodes


def _one_path_signals(params, data):
    """(the forward floats, δ_o, δ_k, δ_j) by the text's error-signal recursion."""
    _, y = data
    _, v = one_path_error(params, data)
    delta_o = v["ŷ"] - y                                       # a linear unit's derivative is 1
    delta_k = delta_o * params["w3"] * sigmoid(v["s_k"]) * (1.0 - sigmoid(v["s_k"]))
    delta_j = delta_k * params["w2"] * sigmoid(v["s_j"]) * (1.0 - sigmoid(v["s_j"]))
    return v, delta_o, delta_k, delta_j


def _one_path_checks(params, data):
    x, y = data
    w2, w3 = params["w2"], params["w3"]
    v, delta_o, delta_k, delta_j = _one_path_signals(params, data)
    slope_k = sigmoid(v["s_k"]) * (1.0 - sigmoid(v["s_k"]))
    slope_j = sigmoid(v["s_j"]) * (1.0 - sigmoid(v["s_j"]))
    error = v["ŷ"] - y
    return [
        Check("∂E/∂w3  (w_k→o)", "(ŷ − y) z_k", error * v["z_k"], "w3"),
        Check("∂E/∂w2  (w_j→k)", "(ŷ − y) w_k→o σ(s_k)(1 − σ(s_k)) z_j", error * w3 * slope_k * v["z_j"], "w2"),
        Check("∂E/∂w1  (w_i→j)", "(ŷ − y) w_k→o σ(s_k)(1 − σ(s_k)) w_j→k σ(s_j)(1 − σ(s_j)) x",
              error * w3 * slope_k * w2 * slope_j * x, "w1"),
        Check("δ_o = ∂E/∂s_o", "ŷ − y", delta_o, "ŷ"),
        Check("δ_k = ∂E/∂s_k", "δ_o w_k→o σ(s_k)(1 − σ(s_k))", delta_k, "s_k"),
        Check("δ_j = ∂E/∂s_j", "δ_k w_j→k σ(s_j)(1 − σ(s_j))", delta_j, "s_j"),
        Check("∂E/∂w3 by δ", "δ_o z_k", delta_o * v["z_k"], "w3"),
        Check("∂E/∂w2 by δ", "δ_k z_j", delta_k * v["z_j"], "w2"),
        Check("∂E/∂w1 by δ", "δ_j x", delta_j * x, "w1"),
    ]


def _one_sample_data(rng):
    return rng.uniform(-2, 2), rng.uniform(-1, 1)


# Case 2, "a unit may have more than one input" (the page's figure did not survive extraction; this is
# our reading): units i and j each take x, and unit k takes both, s_k = z_i w_i→k + z_j w_j→k.
def multiple_inputs_error(params, data):
    """E = ½(ŷ − y)² where unit k has two inputs, z_i and z_j; ŷ = w_k→o z_k; `data` is (x, y).

    >>> E, nodes = multiple_inputs_error(dict.fromkeys(MULTIPLE_INPUTS.params, 0.0), (1.0, 0.5))
    >>> nodes["z_k"], E
    (0.5, 0.125)
    """
    x, y = data
    nodes = {}
    z_i = _keep(nodes, "z_i", sigmoid(_keep(nodes, "s_i", params["w_in→i"] * x)))
    z_j = _keep(nodes, "z_j", sigmoid(_keep(nodes, "s_j", params["w_in→j"] * x)))
    s_k = _keep(nodes, "s_k", z_i * params["w_i→k"] + z_j * params["w_j→k"])
    z_k = _keep(nodes, "z_k", sigmoid(s_k))
    y_hat = _keep(nodes, "ŷ", params["w_k→o"] * z_k)
    return _keep(nodes, "E", 0.5 * (y_hat - y) ** 2), nodes


def _multiple_inputs_checks(params, data):
    x, y = data
    _, v = multiple_inputs_error(params, data)
    slope_k = sigmoid(v["s_k"]) * (1.0 - sigmoid(v["s_k"]))
    error = v["ŷ"] - y
    delta_k = error * params["w_k→o"] * slope_k                # the general rule, for the other weights
    delta = {unit: sigmoid(v[f"s_{unit}"]) * (1.0 - sigmoid(v[f"s_{unit}"])) * delta_k * params[f"w_{unit}→k"]
             for unit in "ij"}
    return [
        Check("∂E/∂w_i→k", "(ŷ − y) σ(s_k)(1 − σ(s_k)) w_k→o z_i", error * slope_k * params["w_k→o"] * v["z_i"],
              "w_i→k"),
        Check("∂E/∂w_j→k", "(ŷ − y) σ(s_k)(1 − σ(s_k)) w_k→o z_j", error * slope_k * params["w_k→o"] * v["z_j"],
              "w_j→k"),
        Check("∂E/∂w_k→o", "δ_o z_k  (δ_o = ŷ − y)", error * v["z_k"], "w_k→o"),
        Check("∂E/∂w_in→i", "δ_i x  (δ_i = σ(s_i)(1 − σ(s_i)) δ_k w_i→k)", delta["i"] * x, "w_in→i"),
        Check("∂E/∂w_in→j", "δ_j x  (δ_j = σ(s_j)(1 − σ(s_j)) δ_k w_j→k)", delta["j"] * x, "w_in→j"),
    ]


# Case 3, "a unit may have multiple outputs": x → i; i feeds j and k; j and k both feed the linear output o.
def multiple_outputs_error(params, data):
    """E = ½(ŷ − y)², ŷ = z_j w_j→o + z_k w_k→o, where unit i feeds both j and k; `data` is (x, y).

    >>> E, nodes = multiple_outputs_error(dict.fromkeys(MULTIPLE_OUTPUTS.params, 0.0), (1.0, 0.5))
    >>> nodes["z_i"], nodes["ŷ"], E
    (0.5, 0.0, 0.125)
    """
    x, y = data
    nodes = {}
    z_i = _keep(nodes, "z_i", sigmoid(_keep(nodes, "s_i", params["w_in→i"] * x)))
    z_j = _keep(nodes, "z_j", sigmoid(_keep(nodes, "s_j", z_i * params["w_i→j"])))
    z_k = _keep(nodes, "z_k", sigmoid(_keep(nodes, "s_k", z_i * params["w_i→k"])))
    y_hat = _keep(nodes, "ŷ", z_j * params["w_j→o"] + z_k * params["w_k→o"])
    return _keep(nodes, "E", 0.5 * (y_hat - y) ** 2), nodes


def _multiple_outputs_checks(params, data):
    x, y = data
    _, v = multiple_outputs_error(params, data)
    slope = {unit: sigmoid(v[f"s_{unit}"]) * (1.0 - sigmoid(v[f"s_{unit}"])) for unit in "ijk"}
    error = v["ŷ"] - y
    by_hand = error * (params["w_j→o"] * slope["j"] * params["w_i→j"] * slope["i"]
                       + params["w_k→o"] * slope["k"] * params["w_i→k"] * slope["i"]) * x
    delta_o = error
    delta_k = delta_o * params["w_k→o"] * slope["k"]
    delta_j = delta_o * params["w_j→o"] * slope["j"]
    delta_i = slope["i"] * (delta_j * params["w_i→j"] + delta_k * params["w_i→k"])
    return [
        Check("∂E/∂w_in→i", "(ŷ − y)(w_j→o σ'_j(s_j) w_i→j σ'_i(s_i) + w_k→o σ'_k(s_k) w_i→k σ'_i(s_i)) x",
              by_hand, "w_in→i"),
        Check("δ_o = ∂E/∂s_o", "ŷ − y", delta_o, "ŷ"),
        Check("δ_k = ∂E/∂s_k", "δ_o w_k→o σ(s_k)(1 − σ(s_k))", delta_k, "s_k"),
        Check("δ_j = ∂E/∂s_j", "δ_o w_j→o σ(s_j)(1 − σ(s_j))", delta_j, "s_j"),
        Check("δ_i = ∂E/∂s_i", "σ(s_i)(1 − σ(s_i)) Σ_{k ∈ outs(i)} δ_k w_i→k", delta_i, "s_i"),
        Check("∂E/∂w_k→o", "δ_o z_k", delta_o * v["z_k"], "w_k→o"),
        Check("∂E/∂w_j→o", "δ_o z_j", delta_o * v["z_j"], "w_j→o"),
        Check("∂E/∂w_i→k", "δ_k z_i", delta_k * v["z_i"], "w_i→k"),
        Check("∂E/∂w_i→j", "δ_j z_i", delta_j * v["z_i"], "w_i→j"),
        Check("∂E/∂w_in→i", "δ_i x", delta_i * x, "w_in→i"),
    ]


# The minibatch: the one-path network on N samples, E = (1/N) Σ_n ½(ŷ^(n) − y^(n))², so that
# ∂E/∂w_i→j = (1/N) Σ_n δ_j^(n) z_i^(n), where δ^(n) is sample n's own error signal.
def minibatch_error(params, data):
    """The mean over the samples of the one-path network's ½(ŷ − y)²; `data` is a list of (x, y).

    >>> E, nodes = minibatch_error({"w1": 0.0, "w2": 0.0, "w3": 2.0}, [(1.0, 0.0), (1.0, 2.0)])
    >>> nodes["ŷ^(2)"], E
    (1.0, 0.5)
    """
    if not data:
        raise ValueError("minibatch: needs at least one (x, y) sample, got none")
    nodes, errors = {}, []
    for n, sample in enumerate(data, start=1):
        error, sample_nodes = one_path_error(params, sample)
        for label, node in sample_nodes.items():
            _keep(nodes, f"{label}^({n})", node)
        errors.append(error)
    return _keep(nodes, "E", _total(errors) * (1.0 / len(data))), nodes


def _minibatch_checks(params, data):
    count = len(data)
    signals = [_one_path_signals(params, sample) for sample in data]
    checks = [
        Check("∂E/∂w3", "(1/N) Σ_n δ_o^(n) z_k^(n)", sum(d_o * v["z_k"] for v, d_o, _, _ in signals) / count, "w3"),
        Check("∂E/∂w2", "(1/N) Σ_n δ_k^(n) z_j^(n)", sum(d_k * v["z_j"] for v, _, d_k, _ in signals) / count, "w2"),
        Check("∂E/∂w1", "(1/N) Σ_n δ_j^(n) x^(n)",
              sum(d_j * x for (x, _), (_, _, _, d_j) in zip(data, signals)) / count, "w1"),
    ]
    for n, (_, d_o, d_k, d_j) in enumerate(signals, start=1):
        checks += [Check(f"∂E/∂s_k^({n})", f"δ_k^({n}) / N", d_k / count, f"s_k^({n})", detail=True),
                   Check(f"∂E/∂s_j^({n})", f"δ_j^({n}) / N", d_j / count, f"s_j^({n})", detail=True)]
    return checks


def _minibatch_data(rng, count=4):
    return [_one_sample_data(rng) for _ in range(count)]


# ---- seed 002: layer notation, minibatch of m samples as columns -------------------------------------
# Z^l_ic = Σ_j W^l_ij A^(l−1)_jc + b^l_i and A^l = g^l(Z^l) (defined in the post the seed refers to);
# here n^0 = 2 inputs, n^1 = 3 with g^1 = tanh, n^2 = 2 outputs with g^2 = σ, and m = 3 samples.
# Indices are 1-based in labels, as in the text.
LAYER_SIZES = (2, 3, 2)
ACTIVATIONS = {1: tanh, 2: sigmoid}


def _layer_param_names(sizes=LAYER_SIZES):
    names = []
    for l in range(1, len(sizes)):
        names += [f"W^{l}_{i}{j}" for i in range(1, sizes[l] + 1) for j in range(1, sizes[l - 1] + 1)]
        names += [f"b^{l}_{i}" for i in range(1, sizes[l] + 1)]
    return names


def layer_notation_error(params, data):
    """E = 1/(2m) Σ_c Σ_i (A^L_ic − Y_ic)²; `data` is (A^0, Y), lists of rows with one column per sample.

    >>> zero = dict.fromkeys(LAYER_NOTATION.params, 0.0)
    >>> E, nodes = layer_notation_error(zero, ([[1.0, 2.0], [3.0, 4.0]], [[0.5, 1.5], [0.5, 0.5]]))
    >>> nodes["A^2_12"], E
    (0.5, 0.25)
    """
    inputs, targets = data
    L, m = len(LAYER_SIZES) - 1, _sample_count(inputs, targets)
    nodes, A = {}, {0: inputs}
    for l in range(1, L + 1):
        A[l] = []
        for i in range(1, LAYER_SIZES[l] + 1):
            row = []
            for c in range(1, m + 1):
                Z = _total([params[f"W^{l}_{i}{j}"] * A[l - 1][j - 1][c - 1] for j in range(1, LAYER_SIZES[l - 1] + 1)]
                           + [params[f"b^{l}_{i}"]])
                _keep(nodes, f"Z^{l}_{i}{c}", Z)
                row.append(_keep(nodes, f"A^{l}_{i}{c}", ACTIVATIONS[l](Z)))
            A[l].append(row)
    squares = [(A[L][i][c] - targets[i][c]) ** 2 for c in range(m) for i in range(LAYER_SIZES[L])]
    return _keep(nodes, "E", _total(squares) * (1.0 / (2 * m))), nodes


def _sample_count(inputs, targets):
    """m, after checking A^0 is n^0 rows and Y is n^L rows, all with the same m ≥ 1 columns."""
    if len(inputs) != LAYER_SIZES[0] or len(targets) != LAYER_SIZES[-1]:
        raise ValueError(f"layer notation: A^0 needs {LAYER_SIZES[0]} rows and Y {LAYER_SIZES[-1]}, "
                         f"got {len(inputs)} and {len(targets)}")
    widths = {len(row) for row in list(inputs) + list(targets)}
    if len(widths) != 1 or not 1 <= min(widths) <= 9:
        raise ValueError(f"layer notation: every row of A^0 and Y needs the same number m of samples "
                         f"(columns), 1 ≤ m ≤ 9 (one digit per index in the labels), got row lengths {sorted(widths)}")
    return widths.pop()


def layer_notation_backward(params, data):
    """Every ∂E/∂(quantity) by the text's formulas, with plain floats: {label: value}.

    ∂E/∂A^L_ic = (1/m)(A^L_ic − Y_ic); ∂E/∂Z^l_ic = ∂E/∂A^l_ic g^l'(Z^l_ic);
    ∂E/∂W^l_ij = Σ_c ∂E/∂Z^l_ic A^(l−1)_jc; ∂E/∂b^l_i = Σ_c ∂E/∂Z^l_ic; ∂E/∂A^l_ic = Σ_j ∂E/∂Z^(l+1)_jc W^(l+1)_ji.
    >>> grads = layer_notation_backward(LAYER_NOTATION.params, LAYER_NOTATION.data)
    >>> sorted(grads)[:3]
    ['A^1_11', 'A^1_12', 'A^1_13']
    """
    inputs, targets = data
    L, m = len(LAYER_SIZES) - 1, _sample_count(inputs, targets)
    _, v = layer_notation_error(params, data)
    n = LAYER_SIZES

    def activation(l, j, c):                                   # A^l_jc, with A^0 the inputs
        return inputs[j - 1][c - 1] if l == 0 else v[f"A^{l}_{j}{c}"]

    def slope(l, i, c):                                        # g^l'(Z^l_ic), from Z itself
        z = v[f"Z^{l}_{i}{c}"]
        return 1.0 - math.tanh(z) ** 2 if ACTIVATIONS[l] is tanh else sigmoid(z) * (1.0 - sigmoid(z))

    grads = {f"A^{L}_{i}{c}": (v[f"A^{L}_{i}{c}"] - targets[i - 1][c - 1]) / m
             for i in range(1, n[L] + 1) for c in range(1, m + 1)}
    for l in range(L, 0, -1):
        for i in range(1, n[l] + 1):
            for c in range(1, m + 1):
                grads[f"Z^{l}_{i}{c}"] = grads[f"A^{l}_{i}{c}"] * slope(l, i, c)
            for j in range(1, n[l - 1] + 1):
                grads[f"W^{l}_{i}{j}"] = sum(grads[f"Z^{l}_{i}{c}"] * activation(l - 1, j, c) for c in range(1, m + 1))
            grads[f"b^{l}_{i}"] = sum(grads[f"Z^{l}_{i}{c}"] for c in range(1, m + 1))
        if l > 1:
            for i in range(1, n[l - 1] + 1):
                for c in range(1, m + 1):
                    grads[f"A^{l - 1}_{i}{c}"] = sum(grads[f"Z^{l}_{j}{c}"] * params[f"W^{l}_{j}{i}"]
                                                     for j in range(1, n[l] + 1))
    return grads


def _layer_notation_checks(params, data):
    grads = layer_notation_backward(params, data)
    L = len(LAYER_SIZES) - 1
    checks = []
    for label in _layer_param_names():
        if label.startswith("W"):
            l, i, j = label[2], label[4], label[5]
            formula = f"Σ_c ∂E/∂Z^{l}_{i}c A^{int(l) - 1}_{j}c"
        else:
            l, i = label[2], label[4]
            formula = f"Σ_c ∂E/∂Z^{l}_{i}c"
        checks.append(Check(f"∂E/∂{label}", formula, grads[label], label))
    for label in sorted(label for label in grads if label[0] in "AZ"):   # A^l_ic and Z^l_ic
        kind, l, i, c = label[0], int(label[2]), label[4], label[5]
        if kind == "A" and l == L:
            formula = f"(1/m)(A^{l}_{i}{c} − Y_{i}{c})"
        elif kind == "A":
            formula = f"Σ_j ∂E/∂Z^{l + 1}_j{c} W^{l + 1}_j{i}"
        else:
            formula = f"∂E/∂A^{l}_{i}{c} g^{l}'(Z^{l}_{i}{c})"
        checks.append(Check(f"∂E/∂{label}", formula, grads[label], label, detail=True))
    return checks


def layer_notation_data(rng, m=3):
    """Random (A^0, Y) for m samples: inputs in [−1, 1], targets in [0.05, 0.95] (reachable by σ).

    >>> import random
    >>> inputs, targets = layer_notation_data(random.Random(0), m=4)
    >>> len(inputs), len(targets), len(inputs[0])
    (2, 2, 4)
    """
    return ([[rng.uniform(-1, 1) for _ in range(m)] for _ in range(LAYER_SIZES[0])],
            [[rng.uniform(0.05, 0.95) for _ in range(m)] for _ in range(LAYER_SIZES[-1])])


def _layer_notation_notes(params, data):
    return ["Erratum (minor): the text gives ∂E/∂A^L_ic = (1/m)(A^L_ic − Y_ic) 'for i = 1, …, n^(l−1)'; "
            "it is i = 1, …, n^L."]


# ---- seed 003: drummyfish's 2-2-2 network without biases ------------------------------------------------
# Our reading of the weight names: w<l><a><b> is in layer l (0: x → y, 1: y → z) and goes from neuron a
# to neuron b of the next layer. The text confirms it: z0s = w100 * y0 + w110 * y1 (so w100: y0 → z0,
# w110: y1 → z0), and 'w000 = D(E,y0) * D{a(y0s),y0s} * D{y0s,w000} (so w000 feeds y0, from x0). The
# figure agrees: w000, w100 along the top (x0 → y0 → z0), w011, w111 along the bottom (x1 → y1 → z1), and
# the crossings w010 (x1 → y0), w001 (x0 → y1), w110 (y1 → z0), w101 (y0 → z1), printed "w11O", "w1O1".
DRUMMYFISH_WEIGHTS = tuple(f"w{l}{a}{b}" for l in (0, 1) for a in (0, 1) for b in (0, 1))


def drummyfish_error(params, data):
    """E = ½(z0 − z0_desired)² + ½(z1 − z1_desired)²; `data` is ((x0, x1), (z0_desired, z1_desired)).

    >>> E, nodes = drummyfish_error(dict.fromkeys(DRUMMYFISH_WEIGHTS, 0.0), ((1.0, 1.0), (1.0, 0.0)))
    >>> nodes["y0"], nodes["z1"], E
    (0.5, 0.5, 0.25)
    """
    (x0, x1), desired = data
    nodes = {}
    y = [_keep(nodes, f"y{b}", sigmoid(_keep(nodes, f"y{b}s", params[f"w00{b}"] * x0 + params[f"w01{b}"] * x1)))
         for b in (0, 1)]
    z = [_keep(nodes, f"z{b}", sigmoid(_keep(nodes, f"z{b}s", params[f"w10{b}"] * y[0] + params[f"w11{b}"] * y[1])))
         for b in (0, 1)]
    squared_errors = [0.5 * (z[b] - desired[b]) ** 2 for b in (0, 1)]
    return _keep(nodes, "E", squared_errors[0] + squared_errors[1]), nodes


def drummyfish_literal_w100(params, data):
    """'w100 exactly as the seed prints it: (z0_desired − z0) * (z0s * (1 − z0s)) * y0 (an erratum)."""
    _, v = drummyfish_error(params, data)
    return (data[1][0] - v["z0"]) * (v["z0s"] * (1.0 - v["z0s"])) * v["y0"]


def drummyfish_corrected_w100(params, data):
    """'w100 = (z0 − z0_desired) z0 (1 − z0) y0: the seed's chain rule, carried out correctly."""
    _, v = drummyfish_error(params, data)
    return (v["z0"] - data[1][0]) * v["z0"] * (1.0 - v["z0"]) * v["y0"]


def _drummyfish_checks(params, data):
    (x0, x1), desired = data
    x = (x0, x1)
    _, v = drummyfish_error(params, data)
    numeric = numerical_grad(lambda *weights: drummyfish_error(dict(zip(DRUMMYFISH_WEIGHTS, weights)), data)[0],
                             [params[name] for name in DRUMMYFISH_WEIGHTS], FINITE_DIFFERENCE_STEP)
    checks = [Check(f"'{name}", f"(E({name} + h) − E({name} − h)) / 2h, h = {FINITE_DIFFERENCE_STEP:g}", value, name,
                    **FINITE_DIFFERENCE_TOLERANCE)
              for name, value in zip(DRUMMYFISH_WEIGHTS, numeric)]
    # D{E, z_b s} = D{squared_error(z_b), z_b} * D{a(z_b s), z_b s} = (z_b − z_b_desired) z_b (1 − z_b)
    output_signal = [(v[f"z{b}"] - desired[b]) * v[f"z{b}"] * (1.0 - v[f"z{b}"]) for b in (0, 1)]
    for b in (0, 1):
        for a in (0, 1):
            checks.append(Check(f"'w1{a}{b}", f"(z{b} − z{b}_desired) z{b} (1 − z{b}) y{a}",
                                output_signal[b] * v[f"y{a}"], f"w1{a}{b}"))
    for a in (0, 1):
        checks.append(Check(f"D(E,y{a})", f"Σ_k (z_k − z_k_desired) z_k (1 − z_k) w1{a}k",
                            sum(output_signal[k] * params[f"w1{a}{k}"] for k in (0, 1)), f"y{a}"))
    for b in (0, 1):
        for a in (0, 1):
            through_y = sum(output_signal[k] * params[f"w1{b}{k}"] for k in (0, 1))
            checks.append(Check(f"'w0{a}{b}", f"D(E,y{b}) y{b} (1 − y{b}) x{a}",
                                through_y * v[f"y{b}"] * (1.0 - v[f"y{b}"]) * x[a], f"w0{a}{b}"))
    checks.append(Check("'w100 as printed", "(z0_desired − z0) * (z0s * (1 − z0s)) * y0",
                        drummyfish_literal_w100(params, data), "w100", expect_match=False))
    return checks


def _drummyfish_notes(params, data):
    return ["Erratum: the seed prints 'w100 = (z0_desired − z0) * (z0s * (1 − z0s)) * y0. Two slips: the sign",
            "(½(z0 − z0_desired)² has derivative z0 − z0_desired), and the logistic's derivative a'(z0s) is",
            "z0 (1 − z0), taken at the output z0 = a(z0s), not z0s (1 − z0s) of the pre-activation.",
            "Corrected, as checked above: 'w100 = (z0 − z0_desired) z0 (1 − z0) y0. (With the printed sign,",
            "subtracting η·'w100 would climb the error instead of descending it.)"]


def _drummyfish_data(rng):
    return (rng.uniform(-1, 1), rng.uniform(-1, 1)), (rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95))


# ---- the networks, with illustrative default numbers ---------------------------------------------------
DELTA_RULE = SeedNetwork(
    seed="000", title="delta rule network",
    intro=("Logistic neurons, no biases: net_j = Σ_k w_kj o_k, o_j = φ(net_j); one output, E = ½(t − y)².",
           "Network: inputs x_1, x_2 → neurons 3, 4 → neurons 5, 6 → output 7 (each inner neuron feeds two).",
           "δ_j is the engine's ∂E/∂net_j; ∂E/∂w_ij = o_i δ_j and Δw_ij = −η o_i δ_j."),
    forward=delta_rule_error, closed_forms=_delta_rule_checks,
    params={"w13": 0.15, "w23": -0.20, "w14": 0.25, "w24": 0.30, "w35": 0.40, "w45": -0.45,
            "w36": 0.50, "w46": 0.55, "w57": -0.60, "w67": 0.70},
    data=((0.6, -0.4), 0.25), make_data=_delta_rule_data, notes=_delta_rule_notes)

ONE_PATH = SeedNetwork(
    seed="001", title="one-path network",
    intro=("Case 1: s_j = w1 x, z_j = σ(s_j), s_k = w2 z_j, z_k = σ(s_k), ŷ = w3 z_k (linear output),",
           "E = ½(ŷ − y)²; w1 = w_i→j, w2 = w_j→k, w3 = w_k→o. First the three gradients written out by hand,",
           "then the error signals δ = ∂E/∂s and the general rule ∂E/∂w_i→j = δ_j z_i."),
    forward=one_path_error, closed_forms=_one_path_checks,
    params={"w1": 0.8, "w2": -1.3, "w3": 1.7}, data=(0.9, 0.2), make_data=_one_sample_data)

MULTIPLE_INPUTS = SeedNetwork(
    seed="001", title="multiple-input network",
    intro=("Case 2: unit k has two inputs, s_k = z_i w_i→k + z_j w_j→k (z_i = σ(w_in→i x), z_j = σ(w_in→j x)),",
           "ŷ = w_k→o z_k: a weight's derivative does not involve the other weights' derivatives in its layer."),
    forward=multiple_inputs_error, closed_forms=_multiple_inputs_checks,
    params={"w_in→i": 0.7, "w_in→j": -0.9, "w_i→k": 1.1, "w_j→k": -0.6, "w_k→o": 1.4},
    data=(0.9, 0.2), make_data=_one_sample_data)

MULTIPLE_OUTPUTS = SeedNetwork(
    seed="001", title="multiple-output network",
    intro=("Case 3: unit i (s_i = w_in→i x) feeds both j and k, which both feed the linear output:",
           "ŷ = z_j w_j→o + z_k w_k→o. The error reaching i is summed over both paths."),
    forward=multiple_outputs_error, closed_forms=_multiple_outputs_checks,
    params={"w_in→i": 0.6, "w_i→j": -1.2, "w_i→k": 0.9, "w_j→o": 1.5, "w_k→o": -0.8},
    data=(0.9, 0.2), make_data=_one_sample_data)

MINIBATCH = SeedNetwork(
    seed="001", title="minibatch (N = 4) on the one-path network",
    intro=("E = (1/N) Σ_n ½(ŷ^(n) − y^(n))² over N = 4 samples; each sample has its own error signals δ^(n),",
           "and Δw_i→j = −(η/N) Σ_n δ_j^(n) z_i^(n), i.e. ∂E/∂w_i→j = (1/N) Σ_n δ_j^(n) z_i^(n)."),
    forward=minibatch_error, closed_forms=_minibatch_checks,
    params={"w1": 0.8, "w2": -1.3, "w3": 1.7},
    data=[(0.9, 0.2), (-0.5, 0.7), (1.6, -0.3), (0.1, 0.5)], make_data=_minibatch_data)

LAYER_NOTATION = SeedNetwork(
    seed="002", title="2-3-2 network in layer notation, m = 3 samples",
    intro=("Z^l_ic = Σ_j W^l_ij A^(l−1)_jc + b^l_i, A^l = g^l(Z^l) with g^1 = tanh, g^2 = σ; column c is sample c.",
           "E = 1/(2m) Σ_c Σ_i (A^2_ic − Y_ic)². Formulas evaluated backwards through the layers with floats:",
           "∂E/∂A^2 = (1/m)(A^2 − Y), ∂E/∂Z^l = ∂E/∂A^l g^l'(Z^l), ∂E/∂A^1_ic = Σ_j ∂E/∂Z^2_jc W^2_ji."),
    forward=layer_notation_error, closed_forms=_layer_notation_checks,
    params=dict(zip(_layer_param_names(), (0.5, -0.3, 0.8, 0.2, -0.6, 0.9, 0.1, -0.2, 0.05,
                                            0.7, -1.1, 0.4, -0.5, 0.9, 0.3, 0.2, -0.1))),
    data=([[0.5, -1.0, 0.3], [0.8, 0.2, -0.7]], [[0.9, 0.1, 0.4], [0.2, 0.6, 0.8]]),
    make_data=layer_notation_data, notes=_layer_notation_notes)

DRUMMYFISH = SeedNetwork(
    seed="003", title="2-2-2 network without biases",
    intro=("x0, x1 → y0, y1 → z0, z1, logistic a(·); y0s = w000 x0 + w010 x1, z0s = w100 y0 + w110 y1, etc.",
           "E = ½(z0 − z0_desired)² + ½(z1 − z1_desired)². All 8 derivatives 'w by the seed's numerical",
           "alternative (central differences), then by the chain rule, then 'w100 exactly as the seed prints it."),
    forward=drummyfish_error, closed_forms=_drummyfish_checks,
    params=dict(zip(DRUMMYFISH_WEIGHTS, (0.15, 0.25, 0.20, 0.30, 0.40, 0.50, 0.45, 0.55))),
    data=((0.05, 0.10), (0.01, 0.99)), make_data=_drummyfish_data, notes=_drummyfish_notes)

NETWORKS = (DELTA_RULE, ONE_PATH, MULTIPLE_INPUTS, MULTIPLE_OUTPUTS, MINIBATCH, LAYER_NOTATION, DRUMMYFISH)

SEED_DOCUMENTS = {
    "000": "Wikipedia, 'Backpropagation', Derivation section: the delta rule",
    "001": "B. Dolhansky, 'Mathematics of Backpropagation (Part 4)': paths, error signals δ, minibatch",
    "002": "'Neural Networks – Back-propagation Derivation': layer notation A^l, Z^l, W^l, b^l",
    "003": "drummyfish, 'backpropagation': a 2-2-2 network, the chain rule as D{f, x}, numerical derivatives",
}
