"""`nn.Recorder(model, optimizer)`: training health at every step, per layer, for plots over time.

Call `recorder.step(loss)` where the loop would call `optimizer.step()`, after `loss.backward()`. It
reads, per layer (each nn `Layer` and `Linear`): the activations' mean, std, saturated share, dead
units and share near zero, and a histogram of them; the gradient reaching the activations (mean,
std) and the grad:data ratio of the layer's weights. Then it takes the optimizer's step and measures
the update:data ratio, std(weight after − weight before) / std(weight before), kept as log10 (about
−3 is healthy: each step changes a weight by about a thousandth of its size). It keeps the loss too.
"""
import bisect
import math
import operator
import statistics

from autograd import Value, shown

from .health_text import percent, with_article
from .layer_statistics import (SIGMOID_THRESHOLD, TANH_THRESHOLD, ZERO_THRESHOLD, Thresholds, quick_mean_and_std,
                               ratio_of_stds)
from .watch import Watch, layer_activation, layer_weights

BINS = 40                   # histogram bins per layer and step


class LayerHistory:
    """One layer's numbers, one entry per recorded step (None where a number does not apply).

    Lists: `mean`, `std`, `saturated`, `dead` (fractions of the units), `near_zero`, `grad_mean`,
    `grad_std`, `grad_to_data`, `update_ratio` (log10 of update:data; None when nothing moved), and
    `histogram` (counts in `bins` equal bins over `histogram_range`, fixed at the first step; a
    value outside the range is counted in the end bin on its side).
    """

    OUTPUT_FIELDS = ("mean", "std", "saturated", "dead", "near_zero", "grad_mean", "grad_std")
    FIELDS = OUTPUT_FIELDS + ("grad_to_data", "update_ratio", "histogram")

    def __init__(self, name, activation, weights, bins):
        self.name, self.activation, self.weights, self.bins = name, activation, weights, bins
        self.units = None
        self.histogram_range = None
        for field in self.FIELDS:
            setattr(self, field, [])

    def __getstate__(self):
        """A copied history keeps its numbers, not the model's weights."""
        return {**vars(self), "weights": None}

    def record(self, calls, thresholds):
        """Read this step's outputs (a list of calls, each a list of Values) before the update."""
        if not calls:
            for field in self.OUTPUT_FIELDS:
                getattr(self, field).append(None)
            self.histogram.append([0] * self.bins)
            return
        flat = [y.data for row in calls for y in row]          # call by call, unit by unit
        units = self.units = len(calls[0])
        values = sorted(flat)
        n = len(values)
        mean, spread = quick_mean_and_std(values)
        self.mean.append(mean)
        self.std.append(spread)
        if mean != mean:                                       # a NaN (training diverged): no order to count in
            for field in self.OUTPUT_FIELDS[2:5]:
                getattr(self, field).append(None)
            self.grad_mean.append(math.nan)
            self.grad_std.append(math.nan)
            self.histogram.append([0] * self.bins)
            return
        saturated = thresholds.saturated_count(values, self.activation)
        self.saturated.append(None if saturated is None else saturated / n)
        if self.activation == "relu":                          # a unit's column is every units-th number
            self.dead.append(sum(1 for unit in range(units) if not max(flat[unit::units]) > 0.0) / units)
        else:
            self.dead.append(None)
        self.near_zero.append(thresholds.near_zero_count(values) / n)
        grad_mean, grad_std = quick_mean_and_std([y.grad for row in calls for y in row])
        self.grad_mean.append(grad_mean)
        self.grad_std.append(grad_std)
        self.histogram.append(self._counts(values))

    def record_weights(self, before, after_grads):
        """The grad:data ratio of the weights before the update (their data `before`, their gradients)."""
        self.grad_to_data.append(ratio_of_stds(after_grads, before, quick=True))

    def record_update(self, before):
        """log10 of std(update) / std(weights before), or None when nothing moved or all weights were equal.

        Returns the sums that the whole network's ratio is made of: (n, Σ update, Σ update², Σ w, Σ w²).
        """
        updates = [w.data - old for w, old in zip(self.weights, before)]
        sums = (len(updates), sum(updates), sum(map(operator.mul, updates, updates)), sum(before),
                sum(map(operator.mul, before, before)))
        ratio = _ratio_from_sums(*sums)
        self.update_ratio.append(math.log10(ratio) if ratio else None)
        return sums

    def _counts(self, ordered):
        if self.histogram_range is None:
            self.histogram_range = histogram_range(self.activation, ordered)
        low, high = self.histogram_range
        width = (high - low) / self.bins
        cuts = [bisect.bisect_left(ordered, low + k * width) for k in range(1, self.bins)]
        edges = [0] + cuts + [len(ordered)]
        return [edges[k + 1] - edges[k] for k in range(self.bins)]


def histogram_range(activation, ordered):
    """A layer's fixed histogram range: tanh's (−1, 1), sigmoid's (0, 1), else 1.5× what the first step spans.

    >>> histogram_range("tanh", [0.5]), histogram_range("relu", [0.0, 2.0]), histogram_range("linear", [-4.0, 1.0])
    ((-1.0, 1.0), (0.0, 3.0), (-6.0, 6.0))
    """
    if activation == "tanh":
        return -1.0, 1.0
    if activation == "sigmoid":
        return 0.0, 1.0
    largest = max(abs(ordered[0]), abs(ordered[-1])) * 1.5 if ordered else 0.0
    largest = largest if largest > 0.0 and math.isfinite(largest) else 1.0
    return (0.0, largest) if activation == "relu" else (-largest, largest)


class Recorder:
    """Training health at every step: call `recorder.step(loss)` instead of `optimizer.step()`.

    `.layers` holds a LayerHistory per layer, `.losses` the loss of each step (of that step's batch, before
    that step's update: the loss its gradients came from) and `.update_ratio`
    the log10 update:data ratio of all the watched weights together at each step. The recorder watches
    the model's layers (through forward hooks) from when it is made until `close()`, the end of a
    `with` block, or its garbage collection if it is dropped. Every call of a layer with a graph made
    in the recorder's thread between two steps counts for the next step; calls under no_grad(),
    another thread's calls and nn.health's or why()'s replays do not.
    >>> import random, nn; random.seed(0)
    >>> model = nn.MLP(2, [4, 4, 1], activation="tanh")
    >>> optimizer = nn.SGD(model.parameters(), lr=0.1)
    >>> with nn.Recorder(model, optimizer) as recorder:
    ...     for step in range(3):
    ...         loss = nn.mse_loss([model([0.5, -1.0]), model([1.0, 0.2])], [1.0, -1.0])
    ...         optimizer.zero_grad(); loss.backward()
    ...         recorder.step(loss)
    >>> recorder.steps, len(recorder.layers[0].update_ratio), recorder.layers[1].name
    (3, 3, 'layers[1]')
    """

    def __init__(self, model, optimizer, tanh_threshold=TANH_THRESHOLD, sigmoid_threshold=SIGMOID_THRESHOLD,
                 zero_threshold=ZERO_THRESHOLD, bins=BINS):
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"Recorder needs an optimizer with a step() method, got {type(optimizer).__name__}")
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(f"bins must be an int >= 2, got {bins!r}")
        self.thresholds = Thresholds(tanh_threshold, sigmoid_threshold, zero_threshold)
        self.optimizer = optimizer
        self.model_name = type(model).__name__
        self._watch = Watch(model)
        self.layers = [LayerHistory(name, layer_activation(layer), layer_weights(layer), bins)
                       for name, layer in self._watch.layers]
        self.losses = []
        self.update_ratio = []                                 # log10 per step, all watched weights as one group
        self.steps = 0
        self._watch.open()

    def step(self, loss):
        """Record this step (call it after loss.backward()), take `optimizer.step()`, record the update."""
        if self._watch is None:
            raise RuntimeError("this recorder is a copy (deep-copied, or serialized and read back): it keeps the "
                               "history but watches no model and steps no optimizer")
        if type(loss) is not Value:
            raise TypeError(f"recorder.step needs the step's loss (a Value), got {type(loss).__name__}")
        if loss.grad == 0.0:
            raise RuntimeError("recorder.step(loss) reads the gradients: call loss.backward() first")
        outputs = self._watch.outputs
        if not any(outputs):
            raise RuntimeError("no layer of the model ran with a graph since the last step (was the recorder "
                               "closed, or the forward pass run under no_grad()?)")
        before = []
        for history, calls in zip(self.layers, outputs):
            history.record(calls, self.thresholds)
            data = [w.data for w in history.weights]
            history.record_weights(data, [w.grad for w in history.weights])
            before.append(data)
        self._watch.clear()
        self.optimizer.step()
        totals = [0.0] * 5
        for history, data in zip(self.layers, before):
            totals = [total + part for total, part in zip(totals, history.record_update(data))]
        ratio = _ratio_from_sums(*totals)
        self.update_ratio.append(math.log10(ratio) if ratio else None)
        self.losses.append(loss.data)
        self.steps += 1

    def layer(self, key):
        """The LayerHistory for an index into `.layers` or a name ('layers[1]')."""
        if isinstance(key, str):
            for history in self.layers:
                if history.name == key:
                    return history
            raise KeyError(f"no layer named {key!r}; the layers are {', '.join(h.name for h in self.layers)}")
        return self.layers[key]

    def median_update_ratio(self):
        """The median over the steps of the whole network's update:data ratio (not its log); None before a step.

        The network's ratio at a step is std(update) / std(weights) over every weight of every watched
        layer taken as one group; a step that moved nothing counts as 0.
        """
        ratios = [0.0 if log is None else 10.0 ** log for log in self.update_ratio]
        return statistics.median(ratios) if ratios else None

    def close(self):
        """Stop watching the model's layers: their hooks are removed."""
        if self._watch is not None:
            self._watch.close()

    def __getstate__(self):
        """A copy (copy.deepcopy, or serialized and read back) keeps the history (losses, every layer's
        numbers), not the model or the optimizer: the copy records nothing more."""
        return {**vars(self), "_watch": None, "optimizer": None}

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __str__(self):
        lines = [f"Recorder of {with_article(self.model_name)}: {self.steps} steps"]
        if self.losses:
            lines[0] += f"; the loss of each step's batch, before that step's update: {shown(self.losses[0])} at step 0"
            if self.steps > 1:
                lines[0] += f" and {shown(self.losses[-1])} at step {self.steps - 1}"
        lines.append(f"  {'layer':<22} {'activation':<10} {'saturated':>9} {'dead':>7} {'update:data (log10)':>20}")
        for history in self.layers:
            logs = [log for log in history.update_ratio if log is not None]
            median_log = shown(statistics.median(logs)) if logs else "–"
            lines.append(f"  {history.name:<22} {history.activation:<10} {percent(_last(history.saturated)):>9} "
                         f"{percent(_last(history.dead)):>7} {median_log:>20}")
        lines.append("  (saturated and dead: the last step; update:data: the median over the steps)")
        return "\n".join(lines)

    __repr__ = __str__


def _ratio_from_sums(n, update_sum, update_squares, weight_sum, weight_squares):
    """std(update) / std(weights) from their sums; None when the weights' std is 0."""
    weight_variance = weight_squares / n - (weight_sum / n) ** 2
    if not weight_variance > 0.0:
        return None
    update_variance = update_squares / n - (update_sum / n) ** 2
    return math.sqrt(max(update_variance, 0.0) / weight_variance)


def _last(numbers):
    return numbers[-1] if numbers else None
