"""Loss functions: one Value that says how wrong a model's outputs are, averaged over the samples."""
from autograd import Value


def mse_loss(predictions, targets):
    """Mean squared error, mean over samples of (prediction − target)² (PyTorch's MSELoss).

    `predictions` and `targets` are equal-length lists (Values or numbers), or one of each.
    >>> mse_loss([Value(1.0), Value(4.0)], [0.0, 2.0]).data     # (1 + 4) / 2
    2.5
    >>> mse_loss(Value(3.0), 1.0).data
    4.0
    """
    predictions, targets = _paired("mse_loss", predictions, targets)
    for i, target in enumerate(targets):
        number = target.data if type(target) is Value else target
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number != number:
            raise ValueError(f"mse_loss: targets[{i}] must be a real number (not bool or nan), got {target!r}")
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
        if label == 1 and type(label) is not bool:
            total = (1.0 - score).relu() + total               # relu(1 - s), one node fewer than 1 - 1*s
        elif label == -1 and type(label) is not bool:
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
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets must be numbers in [0, 1], got {t!r} at index {index}")
        if z.data >= 0.0:
            sample = z * (1.0 - t) + ((-z).exp() + 1.0).log()
        else:
            sample = (z.exp() + 1.0).log() - z * t
        total = sample + total
    return total / len(logits)


def cross_entropy(logits, class_index):
    """Softmax cross-entropy, −log softmax(logits)[class_index], for one sample or the mean over a batch.

    One sample: a list of logits (one per class) and an int. A batch: a list of such lists and a
    list of ints. The log-sum-exp subtracts the largest logit first (a constant, so the gradient,
    softmax − one_hot, is unchanged) and never overflows.
    >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)   # log 2
    0.693147
    >>> cross_entropy([[Value(1000.0), Value(0.0)], [Value(0.0), Value(1000.0)]], [0, 1]).data
    0.0
    """
    if isinstance(logits, (list, tuple)) and logits and isinstance(logits[0], (list, tuple)):
        if not isinstance(class_index, (list, tuple)):
            raise ValueError(f"cross_entropy: a batch of {len(logits)} logit lists needs a list of class "
                             f"indices, got {type(class_index).__name__}")
        if len(logits) != len(class_index):
            raise ValueError(f"cross_entropy: {len(logits)} logit lists but {len(class_index)} class indices")
        total = 0.0
        for sample, index in zip(logits, class_index):
            total = _cross_entropy_one(sample, index) + total
        return total / len(logits)
    return _cross_entropy_one(logits, class_index)


def _cross_entropy_one(logits, class_index):
    """−log softmax(logits)[class_index] = log Σ e^(z_j − m) − (z_k − m), with m the largest logit."""
    if not isinstance(logits, (list, tuple)) or not logits:
        raise ValueError(f"cross_entropy: logits must be a non-empty list, got {logits!r}")
    if isinstance(class_index, bool) or not isinstance(class_index, int):
        raise ValueError(f"cross_entropy: the class index must be an int, got {type(class_index).__name__}: "
                         f"{class_index!r}")
    if not 0 <= class_index < len(logits):
        raise ValueError(f"cross_entropy: class index {class_index} is out of range for {len(logits)} classes")
    logits = [z if type(z) is Value else Value(z) for z in logits]
    largest = max(z.data for z in logits)
    shifted = [z - largest for z in logits]                    # all <= 0, so exp() stays <= 1
    total = 0.0
    for s in shifted:
        total = s.exp() + total
    return total.log() - shifted[class_index]


def _paired(name, outputs, targets):
    """Both arguments as equal-length, non-empty lists; the outputs as Values; one item becomes a list."""
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    if not isinstance(targets, (list, tuple)):
        targets = [targets]
    if not outputs:
        raise ValueError(f"{name}: no predictions (empty list)")
    if len(outputs) != len(targets):
        raise ValueError(f"{name}: {len(outputs)} predictions but {len(targets)} targets")
    return [v if type(v) is Value else Value(v) for v in outputs], targets
