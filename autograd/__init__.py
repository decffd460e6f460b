"""A scalar reverse-mode autodiff engine: Values, backward(), grad(), no_grad, tape, gradcheck, primitive."""
from .engine import (OPS, Value, log_softmax, logsumexp, no_grad, softmax, tape, topological_order, total, walk,
                     weighted_sum, weighted_sums)
from .functional import grad, primitive
from .checking import GradcheckError, gradcheck, numerical_grad
from .draw import draw_dot, format_tree, print_tree, render_graph
from .explain import explain
from .animate import animate_backward
from .compiler import compile      # autograd.compile(root); left out of __all__, so `import *` keeps the builtin

__all__ = ["Value", "grad", "no_grad", "tape", "gradcheck", "primitive", "GradcheckError", "numerical_grad",
           "topological_order", "walk", "weighted_sum", "weighted_sums", "total", "logsumexp", "softmax",
           "log_softmax", "OPS", "draw_dot", "render_graph", "format_tree", "print_tree", "explain",
           "animate_backward"]
__version__ = "0.1.0"
