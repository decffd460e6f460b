"""Property tests: random expression DAGs with shared subexpressions agree with PyTorch float64."""
import pytest
from hypothesis import assume, given, strategies as st

from autograd import Value, grad, no_grad, topological_order
from torch_reference import close, torch, weighted_sum

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# Every op maps inputs of size <= 4 to an output of size <= 4, so no DAG overflows or leaves a
# domain; each one works on Values and on tensors alike.
UNARY_OPS = {
    "neg": lambda a: -a,
    "abs": lambda a: abs(a),
    "relu": lambda a: a.relu(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp": lambda a: a.tanh().exp(),
    "log": lambda a: (a * a + 1).log(),
    "sqrt": lambda a: (a * a * 0.5 + 0.25).sqrt(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "cube": lambda a: (a * 0.25) ** 3,
    "inverse sqrt": lambda a: (a * a + 1) ** -0.5,
    "constant over": lambda a: 1 / (a * a + 1),
    "constant to the": lambda a: 2 ** a.tanh(),
    "constant minus": lambda a: (1 - a) / 2,
}
BINARY_OPS = {
    "add": lambda a, b: (a + b) * 0.5,
    "sub": lambda a, b: (a - b) / 2,
    "mul": lambda a, b: a * b.tanh(),
    "mul scaled": lambda a, b: a * b * 0.25,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a.sigmoid() + 0.5) ** (b * 0.5),
    "weighted_sum": lambda a, b: weighted_sum([a.tanh(), b.tanh()], [a * 0.25, b * 0.25], (a - b) * 0.25),
}
KINKED_OPS = {"abs", "relu"}                                   # their derivative jumps at 0


@st.composite
def recipes(draw):
    """A random DAG: leaf values, then steps (op, i, j) that each apply an op to earlier nodes."""
    leaves = draw(st.lists(st.floats(-4, 4, allow_nan=False), min_size=1, max_size=4))
    steps = []
    for k in range(draw(st.integers(1, 14))):
        available = len(leaves) + k
        op = draw(st.sampled_from(sorted(UNARY_OPS) + sorted(BINARY_OPS)))
        i = draw(st.integers(0, available - 1))
        j = draw(st.integers(0, available - 1)) if op in BINARY_OPS else None
        steps.append((op, i, j))
    return leaves, steps


def build(steps, leaves, kink_inputs=None):
    """Run the recipe's steps on `leaves` (Values or tensors); the root sums every node, so all fan out."""
    nodes = list(leaves)
    for op, i, j in steps:
        if op in BINARY_OPS:
            nodes.append(BINARY_OPS[op](nodes[i], nodes[j]))
        else:
            if kink_inputs is not None and op in KINKED_OPS:
                kink_inputs.append(nodes[i])
            nodes.append(UNARY_OPS[op](nodes[i]))
    root = nodes[-1]
    for k, node in enumerate(nodes[len(leaves):]):
        root = root + node * (0.1 * (k + 1))
    return root


@needs_torch
@given(recipes())
def test_random_dag_matches_torch(recipe):
    """Value and every leaf gradient of a random DAG match the same DAG in PyTorch float64 (rel 1e-9)."""
    values, steps = recipe
    leaves = [Value(x) for x in values]
    kink_inputs = []
    root = build(steps, leaves, kink_inputs)
    assume(all(abs(node.data) > 1e-6 for node in kink_inputs))  # torch and we may round to opposite sides
    root.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    their_root = build(steps, tensors)
    their_grads = torch.autograd.grad(their_root, tensors, allow_unused=True)

    assert close(root.data, their_root.item(), rel_tol=1e-9, abs_tol=1e-10)
    for leaf, theirs in zip(leaves, their_grads):
        theirs = 0.0 if theirs is None else theirs.item()
        assert close(leaf.grad, theirs, rel_tol=1e-9, abs_tol=1e-10), (leaf.grad, theirs)


@given(recipes())
def test_backward_grad_and_create_graph_agree(recipe):
    """`.backward()`, `grad()` and `grad(create_graph=True)` give the same first derivatives."""
    values, steps = recipe
    leaves = [Value(x) for x in values]
    root = build(steps, leaves)
    root.backward()
    plain = grad(root, leaves)
    differentiable = grad(root, leaves, create_graph=True)
    for leaf, g, dg in zip(leaves, plain, differentiable):
        assert close(leaf.grad, g, rel_tol=1e-12)
        assert close(dg.data, g, rel_tol=1e-9, abs_tol=1e-12)


@given(recipes())
def test_topological_order_lists_each_inner_node_once_after_its_parents(recipe):
    """topological_order(root) holds exactly the non-leaf ancestors (root last), each after its parents."""
    values, steps = recipe
    root = build(steps, [Value(x) for x in values])
    order = topological_order(root)
    position = {id(node): k for k, node in enumerate(order)}
    assert len(position) == len(order) and order[-1] is root

    reachable, stack = set(), [root]                           # the ancestors, found independently
    while stack:
        node = stack.pop()
        if id(node) not in reachable and not node.is_leaf():
            reachable.add(id(node))
            stack.extend(node.parents)
    assert set(position) == reachable
    for node in order:
        for parent in node.parents:
            assert parent.is_leaf() or position[id(parent)] < position[id(node)]


@given(recipes())
def test_no_grad_computes_the_same_values_without_a_graph(recipe):
    """Under no_grad the DAG has the same value, and the root is a leaf."""
    values, steps = recipe
    recorded = build(steps, [Value(x) for x in values])
    with no_grad():
        unrecorded = build(steps, [Value(x) for x in values])
    assert unrecorded.data == recorded.data
    assert unrecorded.is_leaf() and topological_order(unrecorded) == []


@given(recipes(), st.floats(-3, 3, allow_nan=False))
def test_backward_seed_scales_every_gradient(recipe, seed):
    """backward(grad=s) gives s times the gradients of backward()."""
    values, steps = recipe
    leaves = [Value(x) for x in values]
    root = build(steps, leaves)
    unit = grad(root, leaves)
    root.backward(seed)
    for leaf, g in zip(leaves, unit):
        assert close(leaf.grad, seed * g, rel_tol=1e-12, abs_tol=1e-12)
