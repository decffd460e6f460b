"""`report.why(layer, unit)`: the chain-rule step that makes one unit's gradient small, on one sample.

The unit's output is h = activation(z), z = w·x + b. Every gradient its weights get passes through
δ(z) = δ(h) × ∂h/∂z, and ∂h/∂z is where a unit goes quiet: 1 − h² near 0 for a saturated tanh,
h(1 − h) for a sigmoid, [z > 0] = 0 for a relu below zero. The sample runs again through the same
weights, alone, and explain() of its loss with respect to z gives the line with its words and numbers.
"""
import html
import math
import numbers

from autograd import explain, shown

from .layer_statistics import local_derivative
from .watch import Watch

RULES = {"tanh": "1 − h²", "sigmoid": "h(1 − h)", "relu": "[z > 0]"}


class Why:
    """The answer of `report.why`: `.lines` (text), `.explanation` (the whole explain()), and the numbers.

    `.z`, `.h`, `.local_derivative` (∂h/∂z), `.delta_h` (δ(h) = ∂loss/∂h on this sample) and
    `.delta_z` (δ(z) = δ(h) × ∂h/∂z, what the unit's weights and the layer below get).
    """

    def __init__(self, layer, unit, sample, samples, z, h, derivative, delta_h, delta_z, lines, explanation):
        self.layer, self.unit, self.sample, self.samples = layer, unit, sample, samples
        self.z, self.h, self.local_derivative = z, h, derivative
        self.delta_h, self.delta_z = delta_h, delta_z
        self.lines, self.explanation = lines, explanation

    def __str__(self):
        return "\n".join(self.lines)

    __repr__ = __str__

    def _repr_html_(self):
        return (f'<pre style="font-size:13px;line-height:1.45;white-space:pre-wrap">'
                f"{html.escape(str(self))}</pre>")


def why(report, layer, unit, sample=None):
    """The Why of `unit` in the report's `layer` (a LayerHealth) on `sample` (the flattest by default); see HealthReport.why.

    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 3], activation="tanh")
    >>> report = nn.health(model, [[0.5, -1.0], [1.0, 0.2]], [0, 2], loss=nn.cross_entropy)
    >>> answer = why(report, report.layers[0], 1, sample=0)
    >>> shown(answer.h), shown(answer.local_derivative), answer.delta_z == answer.delta_h * answer.local_derivative
    ('0.4568', '0.7913', True)
    >>> print(answer.lines[4].strip())
    δ(z) = δ(h) × ∂h/∂z = 0.5289 × 0.7913 = 0.4186   (h = tanh(z); ∂h/∂z = 1 - h²)
    """
    if layer.activation not in RULES:
        raise ValueError(f"{layer.name} is {layer.activation}: there is no activation between its outputs and its "
                         f"weights, so no local derivative can make a unit quiet; use explain(loss, weight) instead")
    if report._model is None:
        raise RuntimeError("this report is a copy (deep-copied, or serialized and read back): it keeps the numbers "
                           "but not the model, so why() cannot replay a sample; call nn.health on the model again")
    if report._loss is None:
        raise ValueError("why() needs the gradients: make the report with a loss, "
                         "nn.health(model, inputs, targets, loss=...)")
    if isinstance(unit, bool) or not isinstance(unit, numbers.Integral) or not 0 <= unit < layer.units:
        raise ValueError(f"unit must be an int in 0 .. {layer.units - 1} for {layer.name}, got {unit!r}")
    unit = int(unit)
    _check_unchanged(report)
    derivatives = [local_derivative(layer.activation, row[unit]) for row in layer.activations]
    if sample is None:
        sample = min(range(len(derivatives)), key=derivatives.__getitem__)    # the flattest, first of ties
    elif isinstance(sample, bool) or not isinstance(sample, numbers.Integral) or not 0 <= sample < layer.samples:
        raise ValueError(f"sample must be an int in 0 .. {layer.samples - 1}, got {sample!r}")
    sample = int(sample)
    source, call = report._owners[layer.index][sample]
    with Watch(report._model, exclusive=True) as watch:     # not counted by an open Recorder
        output = report._forward(report._inputs[source])
        sample_loss = report._loss([output], None if report._targets is None else [report._targets[source]])
    h = watch.outputs[layer.index][call][unit]
    if h.op != layer.activation or h.data != layer.activations[sample][unit]:
        raise RuntimeError(f"running sample {sample} again gave {layer.name} unit {unit} a different output "
                           f"({h.data!r}, was {layer.activations[sample][unit]!r}): the forward pass is not "
                           f"repeatable, so why() cannot replay it")
    z = h.parents[0]
    h.label, z.label = "h", "z"
    explanation = explain(sample_loss, z)
    delta_line = _line(explanation, "δ(z) =")
    delta_h, delta_z = explanation.deltas.get("h", 0.0), explanation.gradient
    derivative = local_derivative(layer.activation, h.data)
    lines = [f"Why {layer.name} unit {unit} ({layer.activation}) passes back the gradient it does, on sample "
             f"{sample} of {layer.samples} (alone: its own loss, no batch mean):",
             f"  z = w·x + b = {shown(z.data)}",
             f"  h = {layer.activation}(z) = {_near_edge(h.data)}",
             f"  δ(h) = {shown(delta_h)}   (∂loss/∂h: the gradient that reaches h from above)",
             f"  {delta_line}",
             _meaning(layer.activation, z.data, h.data, derivative, unit in layer.dead)]
    return Why(layer.name, unit, sample, layer.samples, z.data, h.data, derivative, delta_h, delta_z, lines,
               explanation)


def _meaning(activation, z, h, derivative, dead):
    """The line in words: what ∂h/∂z is here and what it does to the gradient."""
    if activation == "relu":
        if derivative == 0.0:
            text = (f"∂h/∂z = [z > 0] = 0 because z = {shown(z)} ≤ 0: nothing gets through. The unit's weights "
                    f"and bias get exactly 0 from this sample (∂z/∂w = x, times δ(z) = 0)")
            return text + (", and as the unit is never positive on the batch, from every sample: it is dead."
                           if dead else ".")
        return "∂h/∂z = [z > 0] = 1: on this sample the unit is alive and passes δ(h) on unchanged."
    formula = "1 − h²" if activation == "tanh" else "h(1 − h)"
    edge = _near_edge(h)
    if activation == "tanh":
        size = _near_edge(abs(h))                               # h² = |h|²: the distance form needs no sign
        value = f"1 − {_bracketed(edge if ' ' not in size else size)}²"
    else:
        value = f"{_bracketed(edge)} × {_bracketed(shown(1.0 - h))}"
    share = f"{shown(100 * derivative)}%"
    if derivative == 0.0:
        ends = "±1" if activation == "tanh" else "0 or 1"
        return (f"∂h/∂z = {formula} = {value} = 0 (h rounds to exactly {ends} in floating point): {activation} is "
                f"flat at z = {shown(z)}, so nothing of the gradient that reaches h gets through to z, to the "
                f"unit's weights (∂z/∂w = x) or to the layer below.")
    if derivative < 0.1:
        return (f"∂h/∂z = {formula} = {value} = {shown(derivative)}: {activation} is flat at z = {shown(z)}, "
                f"so only {share} of the gradient that reaches h gets through to z, and from z to the unit's "
                f"weights (∂z/∂w = x) and to the layer below.")
    return (f"∂h/∂z = {formula} = {value} = {shown(derivative)}: {activation} is not flat at z = {shown(z)}, "
            f"so {share} of the gradient that reaches h gets through to z.")


def _line(explanation, start):
    """explain()'s backward-pass line that starts with `start`, its two columns three spaces apart."""
    for line in str(explanation).splitlines():
        text = line.strip()
        if text.startswith(start):
            equation, _, reason = text.partition("   ")
            return f"{equation}   {reason.strip()}".rstrip()
    raise RuntimeError(f"explain() wrote no line starting with {start!r}")


def _check_unchanged(report):
    """why() replays the batch: the weights must be the ones health() saw."""
    now = [p.data for p in report._model.parameters()]
    seen = report._weights_seen
    if len(now) != len(seen) or any(a != b and not (math.isnan(a) and math.isnan(b)) for a, b in zip(now, seen)):
        raise RuntimeError("the model's weights changed since nn.health() looked at it (a training step?): "
                           "call nn.health again for a report on the new weights")


EDGE = 0.01                 # within 0.01 of ±1, h is written as its distance from the end: 1 − 0.0003750


def _near_edge(h):
    """h as `shown` writes it, or, within EDGE of tanh's or sigmoid's flat end ±1, as its distance from that
    end (the distance by shown): 0.99962 would show as 0.9996, and 1 − 0.9996² is 0.0008, not 0.00075.

    >>> _near_edge(0.5), _near_edge(0.0), _near_edge(-1.0), _near_edge(0.999625), _near_edge(-0.9999999)
    ('0.5000', '0', '-1.000', '1 − 0.0003750', '-(1 − 1.000e-07)')
    """
    if 1.0 - EDGE < abs(h) < 1.0:
        distance = f"1 − {shown(1.0 - abs(h))}"
        return distance if h > 0.0 else f"-({distance})"
    return shown(h)


def _bracketed(text):
    """A number's text ready to be multiplied or squared: '(1 − 1.800e-07)', '(-0.9759)', '0.5000'."""
    return f"({text})" if " " in text or text.startswith("-") else text
