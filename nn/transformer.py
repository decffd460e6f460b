"""Transformer parts on Values: `Embedding`, `Linear` (bias optional), `rmsnorm`, and the softmax family."""
import math
import numbers
import random

from autograd import Value, log_softmax, softmax, weighted_sum, weighted_sums

from .hooks import ForwardHooks
from .module import Module
from .reals import positive_size

__all__ = ["Embedding", "Linear", "rmsnorm", "softmax", "log_softmax"]


class Embedding(Module):
    """A table of `num_embeddings` learned vectors of length `embedding_dim`: a token id in, its vector out.

    `.weight[i][j]` is a Value drawn from N(0, std²) (std 1 by default, as in torch.nn.Embedding).
    Looking a vector up makes no node: the vector *is* the parameters, so their gradients are what
    flows into them from wherever the vector is used.
    >>> import random; random.seed(0)
    >>> table = Embedding(5, 3, std=0.1)
    >>> vector = table(2)
    >>> len(vector), vector[0] is table.weight[2][0], len(table.parameters())
    (3, True, 15)
    """

    def __init__(self, num_embeddings, embedding_dim, std=1.0):
        self.num_embeddings = positive_size("Embedding num_embeddings", num_embeddings)
        self.embedding_dim = positive_size("Embedding embedding_dim", embedding_dim)
        std = _check_std("Embedding", std)
        self.weight = [[Value(random.gauss(0.0, std)) for _ in range(self.embedding_dim)]
                       for _ in range(self.num_embeddings)]

    def __call__(self, index):
        """The vector for `index` (an int in 0 .. num_embeddings − 1) as a new list of its Values."""
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"Embedding index must be an int, got {type(index).__name__}: {index!r}")
        if not 0 <= index < self.num_embeddings:
            raise IndexError(f"Embedding index {index} is out of range for {self.num_embeddings} rows")
        return list(self.weight[int(index)])

    def architecture(self):
        return {"type": "Embedding", "num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


class Linear(ForwardHooks, Module):
    """y = W x (+ b): `nout` outputs, each one `weighted_sum` node over the same `nin` inputs.

    `.weight` is `nout` rows of `nin` Values and `.bias` a list of `nout` Values starting at 0, or
    None with `bias=False`. The weights are drawn from N(0, std²) when `std` is given, else from
    U(−1/√nin, 1/√nin), the scale torch.nn.Linear uses.
    >>> import random; random.seed(0)
    >>> layer = Linear(3, 2, bias=False)
    >>> outputs = layer([1.0, 2.0, 3.0])
    >>> len(outputs), outputs[0].op, len(layer.parameters())
    (2, 'w·x', 6)
    >>> Linear(3, 2)([1.0, 2.0, 3.0])[0].op
    'wx+b'
    """

    def __init__(self, nin, nout, bias=True, std=None):
        self.nin = positive_size("Linear nin", nin)
        self.nout = positive_size("Linear nout", nout)
        std = None if std is None else _check_std("Linear", std)
        bound = 1.0 / math.sqrt(self.nin)
        self.weight = [[Value(random.gauss(0.0, std) if std is not None else random.uniform(-bound, bound))
                        for _ in range(self.nin)] for _ in range(self.nout)]
        self.bias = [Value(0.0) for _ in range(self.nout)] if bias else None

    def __call__(self, x):
        """The `nout` outputs for the `nin` inputs `x` (Values or real numbers), as a list of Values."""
        if len(x) != self.nin:
            raise ValueError(f"Linear with {self.nin} inputs got {len(x)} values")
        outputs = weighted_sums(self.weight, x, self.bias)
        if self._forward_hooks:                                # empty unless something watches the layer
            for hook in self._forward_hooks:
                hook(self, x, outputs)
        return outputs

    def architecture(self):
        return {"type": "Linear", "nin": self.nin, "nout": self.nout, "bias": self.bias is not None}

    def __repr__(self):
        return f"Linear(nin={self.nin}, nout={self.nout}, bias={self.bias is not None})"


def rmsnorm(x, eps=1e-5):
    """x_i / sqrt(mean(x²) + eps) for each x_i: the vector rescaled to a root mean square of about 1.

    No learned gain. The sum of squares is one node (`weighted_sum(x, x)`, two edges to each x_i,
    each with local derivative x_i), then three for the scale and one product per x_i.
    >>> y = rmsnorm([Value(3.0), Value(-4.0)], eps=0.0)         # rms of (3, -4) is sqrt(12.5)
    >>> [round(v.data * math.sqrt(12.5), 12) for v in y]
    [3.0, -4.0]
    """
    if isinstance(x, (Value, str, bytes)):
        raise TypeError(f"rmsnorm needs a list of Values, got {type(x).__name__}")
    xs = [v if type(v) is Value else Value(v) for v in x]
    if not xs:
        raise ValueError("rmsnorm needs at least one value")
    mean_square = weighted_sum(xs, xs) * (1.0 / len(xs))
    scale = (mean_square + eps) ** -0.5
    return [v * scale for v in xs]



def _check_std(owner, std):
    """A standard deviation as a float: a finite real number >= 0."""
    if isinstance(std, bool) or not isinstance(std, numbers.Real) or not math.isfinite(std) or std < 0:
        raise ValueError(f"{owner} std must be a finite number >= 0, got {std!r}")
    return float(std)
