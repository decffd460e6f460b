"""The numbers of training health: what one layer's activations and gradients look like over a batch.

Shared by `nn.health` (one batch, looked at closely) and `nn.Recorder` (every training step), so both
count alike. Every std here is the population std (divide by n, torch's `std(correction=0)`), so
one sample or one unit still has one.
"""
import bisect
import math
import operator

from autograd import shown

from .reals import real_number

TANH_THRESHOLD = 0.97       # tanh is saturated where |y| > 0.97: its local derivative 1 − y² < 0.0591
SIGMOID_THRESHOLD = 0.03    # sigmoid is saturated where y < 0.03 or y > 0.97: y(1 − y) < 0.0291
ZERO_THRESHOLD = 0.03       # an activation is near zero where |y| < 0.03


class Thresholds:
    """Where tanh and sigmoid count as saturated and where an activation counts as near zero.

    >>> Thresholds().flat_derivative("tanh") < 0.06, Thresholds(tanh=0.9).flat_derivative("tanh")
    (True, 0.18999999999999995)
    """

    def __init__(self, tanh=TANH_THRESHOLD, sigmoid=SIGMOID_THRESHOLD, zero=ZERO_THRESHOLD):
        self.tanh = _fraction("tanh_threshold", tanh)
        self.sigmoid = _fraction("sigmoid_threshold", sigmoid, below=0.5)
        self.zero = _positive("zero_threshold", zero)

    def flat_derivative(self, activation):
        """The local derivative at the saturation threshold: every saturated unit's is below it."""
        if activation == "tanh":
            return 1.0 - self.tanh * self.tanh
        if activation == "sigmoid":
            return self.sigmoid * (1.0 - self.sigmoid)
        return None

    def saturation_rule(self, activation):
        """The saturation test in words, each number as `shown` writes it.

        >>> Thresholds().saturation_rule("tanh"), Thresholds().saturation_rule("sigmoid")
        ('|h| > 0.9700', 'h < 0.03000 or h > 0.9700')
        """
        if activation == "tanh":
            return f"|h| > {shown(self.tanh)}"
        if activation == "sigmoid":
            return f"h < {shown(self.sigmoid)} or h > {shown(1.0 - self.sigmoid)}"
        return None

    def saturated_count(self, ordered, activation):
        """How many numbers of the sorted list `ordered` are saturated for `activation` (None if it cannot saturate)."""
        n = len(ordered)
        if activation == "tanh":
            return bisect.bisect_left(ordered, -self.tanh) + n - bisect.bisect_right(ordered, self.tanh)
        if activation == "sigmoid":
            return bisect.bisect_left(ordered, self.sigmoid) + n - bisect.bisect_right(ordered, 1.0 - self.sigmoid)
        return None

    def near_zero_count(self, ordered):
        """How many numbers of the sorted list `ordered` have |y| < zero."""
        return bisect.bisect_left(ordered, self.zero) - bisect.bisect_right(ordered, -self.zero)


def mean_and_std(numbers):
    """(mean, population std) of a non-empty list of floats, in two exact-sum passes.

    >>> mean_and_std([1.0, 2.0, 3.0, 4.0])
    (2.5, 1.118033988749895)
    """
    n = len(numbers)
    mean = math.fsum(numbers) / n
    deviations = [x - mean for x in numbers]
    return mean, math.sqrt(math.fsum(map(operator.mul, deviations, deviations)) / n)


def quick_mean_and_std(numbers):
    """(mean, population std) in two plain-sum passes: for the recorder, which runs every step.

    The second pass sums the squared deviations from the mean, so a saturated layer (values near ±1
    with a tiny spread) keeps its std; E[x²] − mean² would lose it to rounding. Never negative.
    >>> quick_mean_and_std([1.0, 2.0, 3.0, 4.0])
    (2.5, 1.118033988749895)
    >>> shown(quick_mean_and_std([1.0, 1.0 - 1e-9])[1])           # E[x²] − mean² would give 1.054e-08
    '5.000e-10'
    """
    n = len(numbers)
    mean = sum(numbers) / n
    deviations = [x - mean for x in numbers]
    drift = sum(deviations) / n                                # the mean's own rounding, taken out (corrected two-pass)
    variance = sum(map(operator.mul, deviations, deviations)) / n - drift * drift
    return mean, math.sqrt(variance) if variance > 0.0 else 0.0


def ratio_of_stds(numerator, denominator, quick=False):
    """std(numerator) / std(denominator), or None when the denominator's std is 0 (all weights equal).

    With `quick`, the stds are `quick_mean_and_std`'s (plain sums, for the recorder's every step).
    >>> ratio_of_stds([0.0, 0.2], [1.0, 3.0]), ratio_of_stds([1.0], [5.0]), ratio_of_stds([0.0, 0.2], [1.0, 3.0], quick=True)
    (0.1, None, 0.1)
    """
    spread = quick_mean_and_std if quick else mean_and_std
    below = spread(denominator)[1]
    return spread(numerator)[1] / below if below > 0.0 else None


def dead_units(rows):
    """The units (column indices) never positive in any row: relu units that pass no gradient.

    >>> dead_units([[0.0, 1.5, 0.0], [0.0, 0.0, 0.2]])
    [0]
    """
    return [unit for unit, column in enumerate(zip(*rows)) if not any(y > 0.0 for y in column)]


def local_derivative(activation, y):
    """The activation's local derivative ∂h/∂z at its output h = y (1 for a linear layer).

    >>> local_derivative("tanh", 0.5), local_derivative("relu", 0.0), local_derivative("sigmoid", 0.5)
    (0.75, 0.0, 0.25)
    """
    if activation == "tanh":
        return 1.0 - y * y
    if activation == "sigmoid":
        return y * (1.0 - y)
    if activation == "relu":
        return 1.0 if y > 0.0 else 0.0
    return 1.0


def _fraction(name, x, below=1.0):
    """A threshold as a float strictly between 0 and `below`; a clear error names it otherwise."""
    x = real_number(x, name, expected="a number")
    if not 0.0 < x < below:
        raise ValueError(f"{name} must be between 0 and {below:g}, got {x!r}")
    return x


def _positive(name, x):
    """A threshold as a float, finite and > 0."""
    x = real_number(x, name, expected="a number")
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return x
