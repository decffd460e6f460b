"""The backward pass replayed step by step, without touching any `.grad` (for explain and the page)."""
import collections

from .engine import Value, topological_order

# One chain-rule update: `parent`'s gradient grows by upstream × local (None for "not reached yet").
Contribution = collections.namedtuple("Contribution", "parent local upstream amount before after")
# One step of the backward pass: `node` passes its (complete) gradient on to each of its parents.
Step = collections.namedtuple("Step", "node upstream contributions")


def replay_backward(root, seed=1.0):
    """The backward pass replayed with the chain rule, without touching any `.grad`: (steps, grads).

    `steps` has one Step per non-leaf node, in the order backward() visits them (reversed
    `topological_order`); `grads` maps every node that root depends on to d(root)/d(node).
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> steps, grads = replay_backward(a * b + a)
    >>> [(step.node.op, len(step.contributions)) for step in steps]
    [('+', 2), ('*', 2)]
    >>> grads[a], grads[b], a.grad
    (-2.0, 2.0, 0.0)
    """
    if type(root) is not Value:
        raise TypeError(f"replay_backward needs a Value as root, got {type(root).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, float)):
        raise TypeError(f"replay_backward: seed must be a real number, got {type(seed).__name__}")
    grads = {root: float(seed)}
    steps = []
    for node in reversed(topological_order(root)):
        upstream = grads[node]                      # complete: every node using it came earlier
        contributions = []
        for parent, local in zip(node.parents, node.local_grads):
            before = grads.get(parent)
            amount = local * upstream if upstream != 0.0 else 0.0   # as backward(): 0 passes nothing on
            after = (0.0 if before is None else before) + amount      # from 0.0, bit for bit as backward()
            grads[parent] = after
            contributions.append(Contribution(parent, local, upstream, amount, before, after))
        steps.append(Step(node, upstream, tuple(contributions)))
    return steps, grads
