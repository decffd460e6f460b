"""`nn.health(model, inputs, targets, loss)`: one batch through a model, and per layer how it learns, with why.

Per layer (each nn `Layer` and `Linear`, a GPT's too): the activations' mean, std, the share that
is saturated (tanh |h| > 0.97, sigmoid h < 0.03 or h > 0.97), the relu units that are dead (never
positive on the batch) and the share near zero; with a loss, the mean and std of the gradient
reaching the activations, and the grad:data ratio of the layer's weights (grad std / data std).
Then the loss against what guessing would score, and findings in plain words, each with the
chain-rule step behind it. `report.why(layer, unit)` writes that step out for one unit on one
sample, with explain()'s words and numbers.
"""
import math
import numbers

from autograd import Value

from .module import Module
from .reals import as_list
from .layer_statistics import (SIGMOID_THRESHOLD, TANH_THRESHOLD, ZERO_THRESHOLD, Thresholds, dead_units, mean_and_std,
                         ratio_of_stds)
from .health_chance import chance_loss, outputs_seen
from .health_findings import findings
from .health_text import as_html, as_text, loss_line, number, percent, table_rows
from .health_why import why
from .watch import Watch, layer_activation, layer_weights



class LayerHealth:
    """One layer's numbers over the batch. Fractions are between 0 and 1; None where a number does not apply.

    `saturated` is None for relu and linear layers (they have no flat ends); `dead` lists the relu
    units never positive on the batch (empty for other activations); `grad_mean`, `grad_std` and
    `grad_to_data` are None without a loss. `activations` and `gradients` keep the numbers, one
    row per call of the layer (one per sample for an MLP), one column per unit.
    """

    def __init__(self, index, name, activation, activations, gradients, weights, thresholds):
        self.index, self.name, self.activation = index, name, activation
        self.activations, self.gradients = activations, gradients
        self.samples = len(activations)
        self.units = len(activations[0]) if activations else 0
        values = sorted(y for row in activations for y in row)
        self.mean, self.std = mean_and_std(values) if values else (None, None)
        countable = values and not any(math.isnan(y) for y in values)         # a NaN has no place in an order
        saturated = thresholds.saturated_count(values, activation) if countable else None
        self.saturated = None if saturated is None else saturated / len(values)
        self.near_zero = thresholds.near_zero_count(values) / len(values) if countable else None
        self.dead = dead_units(activations) if activation == "relu" and activations else []
        if gradients is None or not values:
            self.grad_mean = self.grad_std = self.grad_to_data = None
        else:
            self.grad_mean, self.grad_std = mean_and_std([g for row in gradients for g in row])
            self.grad_to_data = ratio_of_stds([w.grad for w in weights], [w.data for w in weights])

    def __repr__(self):
        return (f"LayerHealth({self.name!r}, {self.activation}, mean={number(self.mean)}, std={number(self.std)}, "
                f"saturated={percent(self.saturated)}, dead={len(self.dead)}, near_zero={percent(self.near_zero)})")


def health(model, inputs, targets=None, loss=None, forward=None, tanh_threshold=TANH_THRESHOLD,
           sigmoid_threshold=SIGMOID_THRESHOLD, zero_threshold=ZERO_THRESHOLD):
    """Run one batch through `model` and report, layer by layer, how its activations and gradients look.

    `inputs` is a list of samples; each goes through `forward(sample)` (the model itself by default;
    for a GPT pass `forward=model.loss`, token lists as inputs and a loss that averages the
    outputs). With `loss`, the report also has gradients: `loss(outputs, targets)` is called on the
    list of outputs, as nn's losses are, and differentiated (`targets` may be None if the loss
    needs none). The model is left as it was: its weights, and every parameter's `.grad`.
    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [8, 8, 3], activation="tanh")
    >>> points = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(20)]
    >>> report = nn.health(model, points, [k % 3 for k in range(20)], loss=nn.cross_entropy)
    >>> [layer.name for layer in report.layers]
    ['layers[0]', 'layers[1]', 'layers[2]']
    >>> round(report.chance_loss, 4), 0.0 <= report.layers[0].saturated <= 1.0
    (1.0986, True)
    """
    if not isinstance(model, Module):
        raise TypeError(f"health needs an nn.Module (an MLP, a GPT, ...), got {type(model).__name__}")
    samples = as_list(inputs, "health: inputs")
    if not samples:
        raise ValueError("health needs a non-empty list of inputs (one batch), got "
                         f"{'an empty list' if samples is not None else type(inputs).__name__}")
    if loss is not None and not callable(loss):
        raise TypeError(f"health: loss must be a function loss(outputs, targets), got {type(loss).__name__}")
    target_list = None
    if targets is not None:
        target_list = as_list(targets, "health: targets")
        if target_list is None or len(target_list) != len(samples):
            raise ValueError(f"health: targets must be a list with one target per input ({len(samples)}), got "
                             f"{len(target_list) if target_list is not None else type(targets).__name__}")
    thresholds = Thresholds(tanh_threshold, sigmoid_threshold, zero_threshold)
    forward = model if forward is None else forward
    if not callable(forward):
        raise TypeError(f"health: forward must be a function of one input, got {type(forward).__name__}")

    watch = Watch(model, exclusive=True)              # a Recorder open on the model counts none of this
    owners = [[] for _ in watch.layers]                      # per layer, per row: (input index, call within it)
    with watch:
        outputs = []
        for index, sample in enumerate(samples):
            before = [len(calls) for calls in watch.outputs]
            outputs.append(forward(sample))
            for owner, calls, start in zip(owners, watch.outputs, before):
                owner += [(index, call) for call in range(len(calls) - start)]
    if not any(watch.outputs):
        raise RuntimeError("health saw no layer output with a graph: call it outside no_grad(), and make sure "
                           "`forward` runs the model's Layers or Linears")
    parameters = model.parameters()
    saved = [p.grad for p in parameters]
    loss_value = None
    try:
        if loss is not None:
            loss_value = _checked_loss(loss(outputs, targets))
            for p in parameters:
                p.grad = 0.0
            loss_value.backward()
        layers = []
        for index, ((name, layer), calls) in enumerate(zip(watch.layers, watch.outputs)):
            activations = [[y.data for y in row] for row in calls]
            gradients = [[y.grad for y in row] for row in calls] if loss is not None else None
            layers.append(LayerHealth(index, name, layer_activation(layer), activations, gradients,
                                      layer_weights(layer), thresholds))
    finally:
        for p, grad in zip(parameters, saved):                 # every .grad as it was before
            p.grad = grad
    chance, rule = chance_loss(loss, outputs, targets) if loss is not None else (None, None)
    seen = outputs_seen(loss, outputs, targets) if loss is not None else None
    return HealthReport(model, samples, target_list, loss, forward, layers, owners,
                        None if loss_value is None else loss_value.data, chance, rule, seen, thresholds)


def _checked_loss(loss_value):
    """The loss, checked to be a Value with a graph."""
    if type(loss_value) is not Value:
        raise TypeError(f"health: loss(outputs, targets) must return a Value, got {type(loss_value).__name__}")
    if loss_value.is_leaf():
        raise ValueError("health: the loss does not depend on the model (it has no graph)")
    return loss_value


class HealthReport:
    """What `nn.health` saw: `.layers` (a LayerHealth each), `.loss`, `.chance_loss`, `.findings`, `.why()`.

    `str(report)` is a table and the findings; in a notebook it shows as HTML.
    """

    def __init__(self, model, inputs, targets, loss, forward, layers, owners, loss_value, chance, rule, seen,
                 thresholds):
        self.model_name = type(model).__name__
        self.samples = len(inputs)
        self.layers = layers
        self.loss = loss_value
        self.loss_name = None if loss is None else getattr(loss, "__name__", type(loss).__name__)
        self.chance_loss, self.chance_rule = chance, rule
        self.outputs_seen = seen                                 # what the outputs say about the loss (health_chance)
        self.thresholds = thresholds
        self._model, self._inputs, self._targets, self._loss, self._forward = model, inputs, targets, loss, forward
        self._owners = owners
        self._weights_seen = [p.data for p in model.parameters()]
        self.findings = findings(self)

    def __getstate__(self):
        """A copy (copy.deepcopy, or serialized and read back) keeps the numbers, not the model: no why()."""
        state = dict(vars(self))
        for name in ("_model", "_inputs", "_targets", "_loss", "_forward"):
            state[name] = None
        return state

    def layer(self, key):
        """The LayerHealth for an index into `.layers` or a name ('layers[1]')."""
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if not -len(self.layers) <= key < len(self.layers):
                raise IndexError(f"layer {key} is out of range: the report has {len(self.layers)} layers")
            return self.layers[key]
        if isinstance(key, str):
            for layer in self.layers:
                if layer.name == key:
                    return layer
            raise KeyError(f"no layer named {key!r}; the layers are {', '.join(l.name for l in self.layers)}")
        raise TypeError(f"a layer is an index or a name, got {type(key).__name__}: {key!r}")

    def why(self, layer, unit, sample=None):
        """The chain-rule step that makes `unit`'s gradient small (or not), on one sample, with explain()'s numbers.

        `sample` is a row of the layer (a sample for an MLP, one call of the layer for a GPT); by
        default the one where the unit's activation is flattest (its local derivative smallest).
        """
        return why(self, self.layer(layer), unit, sample)

    def table_rows(self):
        """The table as rows of text: a header, then one row per layer."""
        return table_rows(self)

    def loss_line(self):
        """The loss against chance in one line, or None without a loss."""
        return loss_line(self)

    def __str__(self):
        return as_text(self)

    __repr__ = __str__

    def _repr_html_(self):
        return as_html(self)
