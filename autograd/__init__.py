"""A scalar reverse-mode autodiff engine: Values, backward(), grad(), no_grad, gradcheck, primitive."""
from .engine import Value, no_grad, topological_order, weighted_sum, weighted_sums
from .functional import grad, primitive
from .checking import GradcheckError, gradcheck, numerical_grad
from .draw import draw_dot, format_tree, print_tree, render_graph
from .explain import explain
from .animate import animate_backward

__all__ = ["Value", "grad", "no_grad", "gradcheck", "primitive", "GradcheckError", "numerical_grad",
           "topological_order", "weighted_sum", "weighted_sums", "draw_dot", "render_graph", "format_tree", "print_tree",
           "explain", "animate_backward"]
__version__ = "0.1.0"
