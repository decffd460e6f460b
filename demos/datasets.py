"""Toy data sets in pure Python (no numpy, no scikit-learn): moons, a spiral, and XOR."""
import math
import random


def make_moons(n_samples=100, noise=0.1, seed=0):
    """Two interleaving half circles as (points, labels): points are (x, y) tuples, labels −1 or +1.

    The upper moon (label −1) is the half circle of radius 1 around (0, 0); the lower one (label +1)
    is the same turned upside down and moved to (1, 0.5). Gaussian noise of std `noise` is added to
    each coordinate and the samples are shuffled, all with `random.Random(seed)`: the same seed
    gives the same data.
    >>> points, labels = make_moons(n_samples=6, noise=0.0)
    >>> len(points), sorted(labels)
    (6, [-1, -1, -1, 1, 1, 1])
    >>> make_moons(10, seed=3) == make_moons(10, seed=3)
    True
    """
    _check_count("make_moons n_samples", n_samples, minimum=2)
    _check_noise("make_moons", noise)
    rng = random.Random(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    samples = []
    for i in range(n_upper):
        t = math.pi * i / max(n_upper - 1, 1)
        samples.append(((math.cos(t), math.sin(t)), -1))
    for i in range(n_lower):
        t = math.pi * i / max(n_lower - 1, 1)
        samples.append(((1.0 - math.cos(t), 0.5 - math.sin(t)), 1))
    samples = [((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)), label) for (x, y), label in samples]
    rng.shuffle(samples)
    return [point for point, _ in samples], [label for _, label in samples]


def make_spiral(n_per_class=40, n_classes=3, noise=0.2, seed=0):
    """`n_classes` spiral arms around the origin as (points, labels), labels 0 .. n_classes − 1.

    Arm k starts at the centre and winds out to radius 1 while its angle grows by 4 radians
    (about two thirds of a turn) from 4k; `noise` (radians, Gaussian) jitters each point's angle.
    >>> points, labels = make_spiral(n_per_class=5, n_classes=3)
    >>> len(points), sorted(set(labels))
    (15, [0, 1, 2])
    >>> max(math.hypot(x, y) for x, y in points) <= 1.0
    True
    """
    _check_count("make_spiral n_per_class", n_per_class, minimum=2)
    _check_count("make_spiral n_classes", n_classes, minimum=2)
    _check_noise("make_spiral", noise)
    rng = random.Random(seed)
    points, labels = [], []
    for k in range(n_classes):
        for i in range(n_per_class):
            fraction = i / (n_per_class - 1)
            radius = fraction
            angle = 4.0 * k + 4.0 * fraction + rng.gauss(0.0, noise)
            points.append((radius * math.sin(angle), radius * math.cos(angle)))
            labels.append(k)
    return points, labels


def xor_data():
    """The four XOR cases as (points, targets): the target is 1 when exactly one input is 1.

    >>> xor_data()
    ([(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)], [0.0, 1.0, 1.0, 0.0])
    """
    points = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    return points, [float(int(a) ^ int(b)) for a, b in points]


def _check_count(what, n, minimum):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}: {n!r}")
    if n < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {n}")


def _check_noise(owner, noise):
    if isinstance(noise, bool) or not isinstance(noise, (int, float)):
        raise TypeError(f"{owner} noise must be a number, got {type(noise).__name__}: {noise!r}")
    if not (math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"{owner} noise must be a finite number >= 0, got {noise!r}")
