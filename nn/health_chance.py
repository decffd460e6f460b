"""The loss against chance: what a network that knows nothing scores, and what a loss above it says about the outputs.

Chance is the loss of outputs that carry no knowledge: equal logits for cross-entropy, a logit of 0
for binary cross-entropy, a score of 0 for the hinge loss, the targets' mean for mse. A loss far
above it says the outputs are far from the targets, and how depends on the loss: wrong and sure of
it (large logits) for the classification losses; for mse, either an offset (the outputs average
elsewhere than the targets) or a spread wider than the targets'. `OutputsSeen` keeps the numbers
that tell which, so the finding names the cause it measured and the advice that fits it. Nothing
here knows the training step: the words are true before the first step and after the hundredth.
"""
import math
import statistics

from autograd import Value

from .health_text import number
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from .reals import as_list

FAR_ABOVE = 2.0              # a loss over 2× chance is far above it
ABOVE = 1.25                 # ... over 1.25× is above it
CLOSE_BELOW = 0.8            # ... from 0.8× chance up, it is close to chance


def chance_loss(loss, outputs, targets):
    """(the loss a network that knows nothing scores, how) for nn's losses; (None, why not) for others.

    cross-entropy: ln C for C classes (equal probabilities); binary cross-entropy: ln 2 (p = ½);
    hinge: 1 (a score of 0); mse: the targets' variance (predicting their mean for every sample).
    >>> chance_loss(cross_entropy, [[0.0, 0.0, 0.0]], [1])[0] == math.log(3)
    True
    >>> chance_loss(mse_loss, [0.0, 0.0], [1.0, 3.0])
    (1.0, "the targets' variance: the mse of predicting their mean, 2.000, for every sample")
    """
    if loss is cross_entropy:
        first = as_list(outputs[0], "health: outputs") if outputs else None
        classes = len(first) if first is not None else None
        if not classes:
            return None, "cross-entropy, but the outputs are not lists of logits"
        return math.log(classes), f"ln {classes}: the cross-entropy of equal probabilities for {classes} classes"
    if loss is binary_cross_entropy:
        return math.log(2.0), "ln 2: the binary cross-entropy of p = ½, a logit of 0, for every sample"
    if loss is hinge_loss:
        return 1.0, "1: the hinge loss of a score of 0 for every sample"
    if loss is mse_loss and targets is not None:
        values = _numbers(as_list(targets, "health: targets"))
        mean = math.fsum(values) / len(values)
        variance = math.fsum((t - mean) ** 2 for t in values) / len(values)
        return variance, f"the targets' variance: the mse of predicting their mean, {number(mean)}, for every sample"
    name = getattr(loss, "__name__", type(loss).__name__)
    return None, f"no chance value known for the loss {name!r} (nn's cross_entropy, binary_cross_entropy, " \
                 f"hinge_loss and mse_loss have one)"


class OutputsSeen:
    """What the outputs looked like against the targets, for the finding on the loss (None where it does not apply).

    For cross-entropy: `top` (the mean probability of each sample's top class), `classes`, `right`
    (samples whose top class is their label) and `samples`. For binary cross-entropy and hinge:
    `size` (the root mean square of the outputs) and `wrong_side` (samples whose output has the
    wrong sign; None for soft targets). For mse: the `mean` and `std` of the outputs and of the
    targets (`target_mean`, `target_std`), their `correlation`, and `offset_share`, the part of the
    loss that is the offset of the means: mse = (mean − target_mean)² + variance of (output − target).
    """

    def __init__(self, loss, samples, **numbers):
        self.loss_kind, self.samples = loss, samples
        for field in ("top", "classes", "right", "size", "wrong_side", "mean", "std", "target_mean", "target_std",
                      "offset_share", "correlation"):
            setattr(self, field, numbers.get(field))


def outputs_seen(loss, outputs, targets):
    """The numbers of the outputs against the targets that say why the loss is where it is; None if unknown.

    >>> seen = outputs_seen(mse_loss, [0.0, 1.0], [6.0, 7.0])
    >>> seen.mean, seen.target_mean, seen.offset_share
    (0.5, 6.5, 1.0)
    """
    try:
        if loss is cross_entropy:
            return _cross_entropy_seen(outputs, targets)
        if loss in (binary_cross_entropy, hinge_loss):
            return _sign_seen(loss, outputs, targets)
        if loss is mse_loss and targets is not None:
            return _mse_seen(outputs, targets)
    except (TypeError, ValueError, IndexError, OverflowError):   # outputs of a shape these losses do not read
        return None
    return None


def _numbers(items):
    """Each output or target as a float (a Value's data; a list of one number is that number)."""
    found = []
    for item in items:
        if isinstance(item, (list, tuple)) and len(item) == 1:
            item = item[0]
        found.append(item.data if type(item) is Value else float(item))
    return found


def _cross_entropy_seen(outputs, targets):
    tops, right = [], 0
    for logits, label in zip(outputs, as_list(targets, "health: targets")):
        values = _numbers(as_list(logits, "health: outputs"))
        largest = max(values)
        weights = [math.exp(v - largest) for v in values]
        tops.append(1.0 / math.fsum(weights))                 # the top class's softmax probability
        right += values.index(largest) == int(label)
    return OutputsSeen(cross_entropy, len(tops), top=statistics.fmean(tops), classes=len(values), right=right)


def _sign_seen(loss, outputs, targets):
    values = _numbers(outputs)
    size = math.sqrt(math.fsum(v * v for v in values) / len(values))
    wrong = None
    if targets is not None:
        labels = _numbers(as_list(targets, "health: targets"))
        if loss is hinge_loss:
            wrong = sum(v * y < 0.0 for v, y in zip(values, labels))
        elif all(t in (0.0, 1.0) for t in labels):
            wrong = sum((v > 0.0) != (t == 1.0) for v, t in zip(values, labels) if v != 0.0)
    return OutputsSeen(loss, len(values), size=size, wrong_side=wrong)


def _mse_seen(outputs, targets):
    values, wanted = _numbers(outputs), _numbers(as_list(targets, "health: targets"))
    mean, target_mean = statistics.fmean(values), statistics.fmean(wanted)
    errors = [v - t for v, t in zip(values, wanted)]
    offset = (mean - target_mean) ** 2
    total = offset + statistics.pvariance(errors)
    std, target_std = statistics.pstdev(values), statistics.pstdev(wanted)
    together = math.fsum((v - mean) * (t - target_mean) for v, t in zip(values, wanted)) / len(values)
    return OutputsSeen(mse_loss, len(values), mean=mean, std=std, target_mean=target_mean, target_std=target_std,
                       offset_share=offset / total if total > 0.0 else 0.0,
                       correlation=together / (std * target_std) if std > 0.0 and target_std > 0.0 else None)


def loss_against_chance(report):
    """The finding on the loss: where it stands against chance and, above chance, what the outputs show."""
    if report.loss is None or report.chance_loss is None:
        return None
    loss, chance = report.loss, report.chance_loss
    against = f"chance, {number(chance)} ({report.chance_rule})"
    if chance <= 0.0:
        return f"The loss is {number(loss)}; {against}."
    ratio = loss / chance
    if ratio >= CLOSE_BELOW and ratio <= ABOVE:
        return (f"The loss, {number(loss)}, is close to {against}, as it should be for a network that has not "
                f"learned yet (if it has, it learned nothing).")
    if ratio < CLOSE_BELOW:
        return f"The loss, {number(loss)}, is below {against}: the network predicts better than a guess."
    how_far = "far above" if ratio > FAR_ABOVE else "above"
    start = f"The loss, {number(loss)}, is {number(ratio)}× {against}: {how_far} what a guess scores."
    seen = report.outputs_seen
    if seen is None:
        return start
    if seen.loss_kind is mse_loss:
        return f"{start} {_mse_words(seen)}"
    return f"{start} {_classification_words(seen, ratio > FAR_ABOVE)}"


def _mse_words(seen):
    """Why an mse is above chance: the outputs' mean is off, or they spread wider than the targets, or neither."""
    if seen.offset_share >= 0.5:
        way = "too small" if seen.mean < seen.target_mean else "too large"
        return (f"Most of it is an offset: the outputs average {number(seen.mean)} where the targets average "
                f"{number(seen.target_mean)}: {way}, and that offset is {number(100 * seen.offset_share)}% of the "
                f"loss; a bias in the last layer at the targets' mean, or centred targets (their mean taken off), "
                f"removes it.")
    if seen.std > seen.target_std:
        return (f"The outputs spread too widely: std {number(seen.std)} against the targets' "
                f"{number(seen.target_std)}, and a wide miss costs its square; smaller weights in the last layer "
                f"narrow them: outputs that hardly vary, around the targets' mean, score about chance.")
    return (f"The outputs do not follow the targets: their mean is close, {number(seen.mean)} against "
            f"{number(seen.target_mean)}, and their std is no wider, {number(seen.std)} against "
            f"{number(seen.target_std)}, but they do not rise and fall with the targets (correlation "
            f"{number(seen.correlation)}). Outputs that did not vary, at the targets' mean, would score chance.")


def _classification_words(seen, far):
    """Why a classification loss is above chance: outputs that lean, or are sure, the wrong way."""
    if seen.loss_kind is cross_entropy:
        measured = (f"its top class gets {number(seen.top)} of the probability on average (a guess gives each "
                    f"{number(1.0 / seen.classes)}), yet it is right on {seen.right} of {seen.samples} samples")
    else:
        measured = f"its outputs' root mean square is {number(seen.size)} (a guess outputs 0)"
        if seen.wrong_side is not None:
            measured += f", and {seen.wrong_side} of {seen.samples} are on the wrong side of 0"
    if far:
        what = f"The network is confidently wrong: {measured}. A sure wrong answer costs far more than a guess"
    else:
        what = f"The network is more wrong than a guess: {measured}. A wrong lean costs more than no lean"
    return (f"{what}; smaller weights in the last layer shrink the outputs toward a guess and the loss toward "
            f"chance; if training brought the loss up here, its steps were likely too large (a learning rate too "
            f"high).")
