"""A scalar reverse-mode autodiff engine: Values, backward(), grad(), no_grad, tape, gradcheck, primitive, and views of them.

The package is laid out in two parts, and imports run one way only, views -> core:
- `autograd.core`: the engine (Value and the op table, the chain rule, recording modes, gradient
  checks, the compiler). It imports no view.
- `autograd.views`: what a person looks at (drawings, the text tree, explain(), the step-through
  page, notebook displays). Views read the engine.
This file joins the two: it re-exports the public names and gives Value its notebook display.
"""
import sys

from .core.engine import (OPS, Value, log_softmax, logsumexp, no_grad, softmax, tape, topological_order, total, walk,
                          weighted_sum, weighted_sums)
from .core.functional import grad, primitive
from .core.checking import GradcheckError, gradcheck, numerical_grad
from .core.compiler import compile      # autograd.compile(root); left out of __all__, so `import *` keeps the builtin
from .core.mode import TapeError
from .views.draw import draw_dot, format_tree, print_tree, render_graph
from .views.explain import explain
from .views.animate import animate_backward
from .views.display import value_html
from .views.text import shown
from .views import practice          # autograd.practice: check() and exercise()

Value._repr_html_ = value_html          # notebooks show a Value as a compact summary (views -> core)
sys.modules[__name__ + ".practice"] = practice   # so `import autograd.practice` finds it

__all__ = ["Value", "grad", "no_grad", "tape", "TapeError", "gradcheck", "primitive", "GradcheckError",
           "numerical_grad", "topological_order", "walk", "weighted_sum", "weighted_sums", "total", "logsumexp",
           "softmax", "log_softmax", "OPS", "draw_dot", "render_graph", "format_tree", "print_tree", "explain",
           "animate_backward", "shown"]
__version__ = "0.1.0"
