"""Loss functions: one Value that says how wrong a model's outputs are, averaged over the samples."""
import math

from autograd import Value, logsumexp

from .reals import as_list, real_number, whole_number


def mse_loss(predictions, targets):
    """Mean squared error, mean over samples of (prediction − target)² (PyTorch's MSELoss).

    `predictions` and `targets` are equal-length lists, tuples or 1-d arrays (of Values or real
    numbers), or one of each.
    >>> mse_loss([Value(1.0), Value(4.0)], [0.0, 2.0]).data     # (1 + 4) / 2
    2.5
    >>> mse_loss(Value(3.0), 1.0).data
    4.0
    """
    predictions, targets = _paired("mse_loss", predictions, targets)
    for i, target in enumerate(targets):
        number = target.data if type(target) is Value else real_number(target, f"mse_loss: targets[{i}]")
        if math.isnan(number):
            raise ValueError(f"mse_loss: targets[{i}] must be a real number, not nan")
        if type(target) is not Value:                          # a Value target is used as it is
            targets[i] = number
    total = 0.0
    for prediction, target in zip(predictions, targets):
        error = prediction - target
        total = error * error + total
    return total / len(predictions)


def hinge_loss(scores, labels):
    """Mean hinge loss over samples, relu(1 − y·s), for scores `s` and labels `y` in {+1, −1}.

    A sample costs nothing once its score is on the right side with a margin of 1.
    >>> hinge_loss([Value(2.0), Value(0.5)], [1, -1]).data     # (0 + 1.5) / 2
    0.75
    """
    scores, labels = _paired("hinge_loss", scores, labels)
    total = 0.0
    for index, (score, label) in enumerate(zip(scores, labels)):
        label = real_number(label, f"hinge_loss: labels[{index}]", expected="+1 or -1")
        if label == 1.0:
            total = (1.0 - score).relu() + total               # relu(1 - s), one node fewer than 1 - 1*s
        elif label == -1.0:
            total = (1.0 + score).relu() + total
        else:
            raise ValueError(f"hinge_loss: labels must be +1 or -1, got {label!r} at index {index}")
    return total / len(scores)


def binary_cross_entropy(logits, targets):
    """Mean binary cross-entropy of sigmoid(logit) against targets in [0, 1] (PyTorch's BCEWithLogitsLoss).

    Per sample, −t·log σ(z) − (1 − t)·log(1 − σ(z)) = (1 − t)·z + log(1 + e^(−z)) for z ≥ 0, and
    −t·z + log(1 + e^z) for z < 0: e is only ever raised to a non-positive power, so a logit of
    ±1000 gives a finite loss and the exact gradient σ(z) − t.
    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)   # log 2
    0.693147
    >>> binary_cross_entropy([Value(1000.0)], [0]).data
    1000.0
    """
    logits, targets = _paired("binary_cross_entropy", logits, targets)
    total = 0.0
    for index, (z, t) in enumerate(zip(logits, targets)):
        t = real_number(t, f"binary_cross_entropy: targets[{index}]", expected="a number in [0, 1]")
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets must be numbers in [0, 1], got {t!r} at index {index}")
        if z.data >= 0.0:
            sample = z * (1.0 - t) + ((-z).exp() + 1.0).log()
        else:
            sample = (z.exp() + 1.0).log() - z * t
        total = sample + total
    return total / len(logits)


def cross_entropy(logits, class_index):
    """Softmax cross-entropy, −log softmax(logits)[class_index], for one sample or the mean over a batch.

    One sample: a list of logits (one per class) and an int (any integral number, a numpy int
    too). A batch: a list of such lists and a list (or 1-d array) of ints. Each sample is one
    `logsumexp` node minus the class's logit: it never overflows, and its gradient is softmax − one_hot.
    >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)   # log 2
    0.693147
    >>> cross_entropy([[Value(1000.0), Value(0.0)], [Value(0.0), Value(1000.0)]], [0, 1]).data
    0.0
    """
    rows = as_list(logits, "cross_entropy: logits")
    if rows and as_list(rows[0], "cross_entropy: logits[0]") is not None:
        indices = as_list(class_index, "cross_entropy: class indices")
        if indices is None:
            raise ValueError(f"cross_entropy: a batch of {len(rows)} logit lists needs a list of class "
                             f"indices, got {type(class_index).__name__}")
        if len(rows) != len(indices):
            raise ValueError(f"cross_entropy: {len(rows)} logit lists but {len(indices)} class indices")
        total = 0.0
        for sample, index in zip(rows, indices):
            total = _cross_entropy_one(sample, index) + total
        return total / len(rows)
    return _cross_entropy_one(logits, class_index)


def _cross_entropy_one(logits, class_index):
    """−log softmax(logits)[class_index] = logsumexp(logits) − z_k: two nodes, never overflowing."""
    items = as_list(logits, "cross_entropy: logits")
    if not items:
        raise ValueError(f"cross_entropy: logits must be a non-empty list, got {logits!r}")
    class_index = whole_number(class_index, "cross_entropy: the class index")
    if not 0 <= class_index < len(items):
        raise ValueError(f"cross_entropy: class index {class_index} is out of range for {len(items)} classes")
    logits = _as_values("cross_entropy: logits", items)
    return logsumexp(logits) - logits[class_index]


def _paired(name, outputs, targets):
    """Both arguments as equal-length, non-empty lists; the outputs as Values; one item becomes a list.

    Each argument may be a list, a tuple or a 1-d array (numpy's, say), or a single item.
    """
    output_list = as_list(outputs, f"{name}: predictions")
    target_list = as_list(targets, f"{name}: targets")
    output_list = [outputs] if output_list is None else output_list
    target_list = [targets] if target_list is None else target_list
    if not output_list:
        raise ValueError(f"{name}: no predictions (empty list)")
    if len(output_list) != len(target_list):
        raise ValueError(f"{name}: {len(output_list)} predictions but {len(target_list)} targets")
    return _as_values(f"{name}: predictions", output_list), target_list


def _as_values(what, items):
    """Each item as a Value: a Value as it is, a real number as a new leaf; anything else is a TypeError."""
    return [item if type(item) is Value else Value(real_number(item, f"{what}[{index}]"))
            for index, item in enumerate(items)]
