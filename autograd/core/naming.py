"""Names for the Values of a graph: the one naming rule of every view and of compiled code."""
from .engine import OPS, Value, WeightedSum, walk, word_of


def graph_values(root, stop_after=None):
    """Every Value `root` depends on, leaves included, each after its parents (root last): `walk` with leaves.

    Parents are visited left to right, so in `x * w + b` the product comes before `b`. With
    `stop_after`, it gives up as soon as it has found more Values than that (see `walk`).
    >>> x = Value(2.0, label="x"); y = x * x + 1
    >>> [v.label or v.op for v in graph_values(y)]
    ['x', '*', '+']
    """
    return walk(root, leaves=True, stop_after=stop_after)


def op_word(op):
    """A short identifier-like word for an op (its row's word): '*' -> 'mul', 'wx+b' -> 'wxb'.

    >>> op_word("*"), op_word("**"), op_word("wx+b"), op_word("")
    ('mul', 'pow', 'wxb', 'leaf')
    """
    if not op:
        return "leaf"
    row = OPS.get(op)
    if row is not None:
        return row.word
    return word_of(op)


def node_names(root, values=None, params=None):
    """A dict Value -> unique name for every Value in root's graph: the one naming rule of every view.

    A Value keeps its label (the seed of a `grad(..., create_graph=True)` gradient is labelled 'seed').
    An unlabelled parameter of `params` (a model, anything with `named_parameters()`) is named by its
    place in the model, as `parameter_names` writes it ('w[0][1]', 'b[1]'). An unlabelled leaf that is
    input i of a neuron node (`weighted_sum`, op 'w·x+b': a model's input) is 'x[i]'. Every other
    unlabelled Value is named by its op and numbered in the order of `graph_values` ('mul_1',
    'tanh_1', ...), and any other unlabelled leaf is 'leaf_1', 'leaf_2', .... A name used by two Values
    gets a suffix on the later one ('x', 'x_2'), so every name points at one Value. print_tree,
    explain, draw_dot, the step-through page and compiled code all name nodes with this function.
    >>> a = Value(3.0, label="a"); y = (a * 2).tanh() + a
    >>> names = node_names(y)
    >>> [names[v] for v in graph_values(y)]
    ['a', 'mul_1', 'tanh_1', 'add_1']
    >>> from autograd.core.engine import weighted_sum
    >>> z = weighted_sum([Value(0.5), Value(-1.0)], [2.0, 3.0]) * Value(4.0)
    >>> sorted(node_names(z).values())
    ['dot_1', 'leaf_1', 'leaf_2', 'leaf_3', 'mul_1', 'x[0]', 'x[1]']
    """
    values = graph_values(root) if values is None else values
    known = parameter_names(params) if params is not None else {}
    roles = _input_names(values, known)
    given = {v: v.label or known.get(v, "") or roles.get(v, "") for v in values}
    taken = {name for name in given.values() if name}
    names, counters, seen = {}, {}, set()
    for value in values:
        name = given[value]
        if name and name not in seen:
            seen.add(name)
            names[value] = name
            continue
        stem = name or (value.row.word if value.row is not None else "leaf")
        count = counters.get(stem, 1 if name else 0)
        while True:
            count += 1
            candidate = f"{stem}_{count}"
            if candidate not in taken:
                break
        counters[stem] = count
        taken.add(candidate)
        names[value] = candidate
    return names


def _input_names(values, known):
    """{leaf: 'x[i]'} for the unlabelled leaves that are input i of a neuron node (its first use as one),
    unless the leaf is a parameter (of `known`, or a weight or bias of some neuron node)."""
    neurons = [value for value in values if isinstance(value.row, WeightedSum)]
    weights = set()
    for neuron in neurons:
        ws, _, bias = neuron.row.parts(neuron.operands)
        weights.update(v for v in list(ws) + [bias] if type(v) is Value)
    names = {}
    for neuron in neurons:
        _, inputs, _ = neuron.row.parts(neuron.operands)
        for i, x in enumerate(inputs):
            if (type(x) is Value and x.is_leaf() and not x.label and x not in known and x not in weights
                    and x not in names):
                names[x] = f"x[{i}]"
    return names


def parameter_names(model):
    """{parameter: short name} for a model's parameters: the attribute names with the indices as [i].

    'layers.1.neurons.0.w.2' becomes 'w[1][0][2]' (layer 1, neuron 0, weight 2) and 'neurons.1.b'
    becomes 'b[1]'. Where two parameters would get the same short name, both keep their full path.
    Anything without `named_parameters()` (a plain list of Values, say) names nothing.
    >>> class Model:
    ...     def named_parameters(self):
    ...         return [("layers.0.neurons.1.w.0", "p"), ("layers.0.neurons.1.b", "q"), ("scale", "s")]
    >>> parameter_names(Model())
    {'p': 'w[0][1][0]', 'q': 'b[0][1]', 's': 'scale'}
    """
    named = getattr(model, "named_parameters", None)
    if named is None:
        return {}
    short = {}
    for path, value in named():
        parts = str(path).split(".")
        words = [part for part in parts if not part.isdigit()]
        indices = "".join(f"[{part}]" for part in parts if part.isdigit())
        short[value] = (words[-1] if words else "p") + indices, str(path)
    counts = {}
    for name, _ in short.values():
        counts[name] = counts.get(name, 0) + 1
    return {value: name if counts[name] == 1 else path for value, (name, path) in short.items()}


def format_number(x):
    """A constant as written in a formula: 2.0 -> '2', 0.25 -> '0.25', 1/3 -> '0.3333'.

    >>> format_number(2.0), format_number(-0.25), format_number(1 / 3)
    ('2', '-0.25', '0.3333')
    """
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.4g}"
    return "0" if text == "-0" else text
