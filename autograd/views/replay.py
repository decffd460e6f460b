"""The backward pass replayed step by step, without touching any `.grad` (for explain and the page)."""
import collections

from ..core.engine import Value, real_number
from ..core.functional import chain_rule

# One chain-rule update: `parent`'s gradient grows by upstream × local (None for "not reached yet").
Contribution = collections.namedtuple("Contribution", "parent local upstream amount before after")
# One step of the backward pass: `node` passes its (complete) gradient on to each of its parents.
Step = collections.namedtuple("Step", "node upstream contributions")


def replay_backward(root, seed=1.0, order=None):
    """The backward pass replayed with the chain rule, without touching any `.grad`: (steps, grads).

    `steps` has one Step per non-leaf node that the pass reaches, in the order backward() visits
    them; `grads` maps every node that root depends on to d(root)/d(node). It is `chain_rule`
    (the pass `grad()` runs) with each step written down; `order` is the graph's walk if the caller has it.
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> steps, grads = replay_backward(a * b + a)
    >>> [(step.node.op, len(step.contributions)) for step in steps]
    [('+', 2), ('*', 2)]
    >>> grads[a], grads[b], a.grad
    (-2.0, 2.0, 0.0)
    """
    if type(root) is not Value:
        raise TypeError(f"replay_backward needs a Value as root, got {type(root).__name__}")
    seed_number = real_number(seed)
    if seed_number is None:
        raise TypeError(f"replay_backward: seed must be a real number, got {type(seed).__name__}")
    steps = []

    def write_down(node, upstream, contributions):
        steps.append(Step(node, upstream, tuple(
            Contribution(parent, local, upstream, amount, before, after)
            for parent, local, amount, before, after in contributions)))

    grads = chain_rule(root, seed_number, on_step=write_down, order=order)
    return steps, grads
