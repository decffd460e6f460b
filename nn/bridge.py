"""The bridge to PyTorch: `to_torch` and `from_torch` carry a model's weights across, and its parameter names both ways.

Here a network is made of scalar Values; in PyTorch the same network is a few weight tensors. The
numbers are the same ones, placed differently. Weight w[k] of neuron j in layer i of an `MLP`,
`layers[i].neurons[j].w[k]`, is entry [j, k] of the weight matrix of the i-th `Linear` in the
`torch.nn.Sequential`, and the neuron's bias is entry [j] of its bias vector:

    ours                              torch (Linear, ReLU, Linear, ReLU, Linear)
    layers[0].neurons[3].w[1]    <->  0.weight[3, 1]
    layers[0].neurons[3].b       <->  0.bias[3]
    layers[1].neurons[0].w[5]    <->  2.weight[0, 5]       (index 1 of the Sequential is the ReLU)

`torch_name`, `our_name` and `name_map` do this mapping, and `from_torch` labels every parameter it
makes with its torch name, so draw_dot, explain, print_tree and the step-through page show
'0.weight[3, 1]' where a torch user would look for it.

PyTorch is optional (the `torch` extra): it is imported inside these functions only, so `import nn`
never loads it.
"""
import random
import re
import warnings

from .layers import MLP, Layer
from .module import python_path

__all__ = ["to_torch", "from_torch", "name_map", "torch_name", "our_name", "gpt_twin_classes", "LargeModelWarning",
           "SUPPORTED_LAYERS"]

SUPPORTED_LAYERS = ("Linear", "ReLU", "Tanh", "Sigmoid", "Identity")
TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}       # ours -> torch.nn's class
OUR_ACTIVATIONS = {torch_class: ours for ours, torch_class in TORCH_ACTIVATIONS.items()}
LARGE_MODEL = 5000        # more parameters than this: a warning that the scalar graphs will be slow
INSTALL_HINT = "install the `torch` extra: pip install 'backprop-lab[torch]' (in a clone: pip install -e '.[torch]')"


class LargeModelWarning(UserWarning):
    """from_torch made a model with more than 5,000 parameters: it works, but every pass builds a big graph."""


def _import_torch(what):
    """The torch package, or an ImportError that says which extra to install."""
    try:
        import torch
    except ImportError:
        raise ImportError(f"{what} needs PyTorch, which is optional here: {INSTALL_HINT}") from None
    return torch


# ---- ours -> torch --------------------------------------------------------------------------------
def to_torch(model, dtype=None):
    """The same network as a `torch.nn.Module` with the same weights (float64 unless `dtype` says otherwise).

    - an `MLP` becomes a `torch.nn.Sequential`: each layer a `Linear`, then its activation (`ReLU`,
      `Tanh` or `Sigmoid`; none for a 'linear' layer);
    - a `Layer` becomes a `Sequential` of one `Linear` and its activation;
    - the GPT of `demos.gpt` becomes its twin, a `TorchGPT` (see `gpt_twin_classes`).

    The weights are copied: training either model leaves the other as it was. In float64 the
    outputs, the loss and every gradient agree with ours to rounding (tests/test_bridge.py checks 1e-12).
    >>> import random, torch; random.seed(0)
    >>> model = MLP(2, [3, 1], activation="tanh")
    >>> twin = to_torch(model); twin
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    >>> twin[0].weight[2, 1].item() == model.layers[0].neurons[2].w[1].data
    True
    >>> abs(twin(torch.tensor([0.5, -1.0], dtype=torch.float64)).item() - model([0.5, -1.0]).data) < 1e-15
    True
    """
    torch = _import_torch("to_torch")
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point or dtype.is_complex:
        raise TypeError(f"to_torch: dtype must be a real floating torch dtype (torch.float64, say), got {dtype!r}")
    if isinstance(model, MLP):
        return torch.nn.Sequential(*[module for layer in model.layers for module in _torch_layer(torch, layer, dtype)])
    if isinstance(model, Layer):
        return torch.nn.Sequential(*_torch_layer(torch, model, dtype))
    if _is_gpt(model):
        return _torch_gpt(torch, model, dtype)
    raise TypeError(f"to_torch takes an nn.MLP, an nn.Layer or the GPT of demos.gpt; got {type(model).__name__}")


def _torch_layer(torch, layer, dtype):
    """[Linear] or [Linear, activation] holding the weights and biases of `layer`'s neurons."""
    weights = [[w.data for w in neuron.w] for neuron in layer.neurons]
    biases = [neuron.b.data for neuron in layer.neurons]
    linear = torch.nn.utils.skip_init(torch.nn.Linear, layer.nin, len(layer.neurons), dtype=dtype)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
        linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
    if layer.activation == "linear":
        return [linear]
    return [linear, getattr(torch.nn, TORCH_ACTIVATIONS[layer.activation])()]


def _is_gpt(model):
    """True for a model shaped like demos.gpt's GPT (that module is a demo, so it is recognised by shape)."""
    architecture = getattr(model, "architecture", None)
    return (callable(architecture) and architecture().get("type") == "GPT"
            and all(hasattr(model, part) for part in ("wte", "wpe", "layers", "lm_head")))


def _torch_gpt(torch, model, dtype):
    """The GPT's twin in torch, its weights copied from `model`; it remembers `type(model)` for from_torch."""
    architecture = model.architecture()
    sizes = {key: architecture[key] for key in ("vocab_size", "n_embd", "n_head", "n_layer", "block_size")}
    twin = torch.nn.utils.skip_init(gpt_twin_classes()["TorchGPT"], **sizes, dtype=dtype)
    parameters = dict(twin.named_parameters())
    tables = _gpt_weight_tables(model)
    carried = sum(len(row) for rows in tables.values() for row in rows)
    if carried != len(model.parameters()):
        raise ValueError(f"to_torch: the GPT has {len(model.parameters())} parameters, but its weight tables hold "
                         f"{carried}; the twin would leave some behind")
    with torch.no_grad():
        for name, rows in tables.items():
            if name not in parameters:
                raise ValueError(f"to_torch: the GPT has a weight table {name!r} that its torch twin lacks")
            parameters[name].copy_(torch.tensor([[v.data for v in row] for row in rows], dtype=torch.float64))
    twin.gpt_class = type(model)
    return twin


def _gpt_weight_tables(model):
    """{torch parameter name: our rows of Values} for every weight table of the GPT."""
    tables = {"wte.weight": model.wte.weight, "wpe.weight": model.wpe.weight, "lm_head.weight": model.lm_head.weight}
    parts = ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")
    for index, block in enumerate(model.layers):
        for part in parts:
            linear = getattr(block, part)
            if linear.bias is not None:
                raise ValueError(f"to_torch: layers.{index}.{part} has a bias; the GPT twin's linear maps have none")
            tables[f"layers.{index}.{part}.weight"] = linear.weight
    if model.lm_head.bias is not None:
        raise ValueError("to_torch: lm_head has a bias; the GPT twin's head has none")
    return tables


# ---- torch -> ours --------------------------------------------------------------------------------
def from_torch(module, gpt_class=None):
    """Our model with the torch module's weights, each parameter labelled with its torch name ('0.weight[3, 1]').

    `module` is a `torch.nn.Sequential` of `Linear`, `ReLU`, `Tanh`, `Sigmoid` and `Identity`
    layers, which becomes an `MLP`: each `Linear` starts a layer, and the activation after it
    (if any) is that layer's. Our MLP uses one activation for every hidden layer, and each of our
    neurons has a bias, so the Sequential must too. Or `module` is a GPT twin (`TorchGPT`, as
    `to_torch` makes one), which becomes our GPT: of the class it was exported from, or `gpt_class`.

    Any other layer raises a TypeError that names it and lists the supported ones. A model with
    more than 5,000 parameters works, with a `LargeModelWarning`: each pass builds a scalar graph
    of that size. Python's random state is left as it was.
    >>> import torch; _ = torch.manual_seed(0)
    >>> model = from_torch(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)))
    >>> model
    MLP(nin=2, nouts=[4, 1], activation='relu', output_activation='linear')
      (0): Layer(nin=2, nout=4, activation='relu')
      (1): Layer(nin=4, nout=1, activation='linear')
      17 parameters
    >>> model.layers[0].neurons[3].w[1].label
    '0.weight[3, 1]'
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.GELU()))
    Traceback (most recent call last):
    ...
    TypeError: from_torch: layer 1 of the Sequential is GELU, which has no counterpart here; supported layers: Linear, ReLU, Tanh, Sigmoid, Identity
    """
    torch = _import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch takes a torch.nn.Module (a Sequential or a GPT twin), got {type(module).__name__}")
    twin_class = gpt_twin_classes()["TorchGPT"]
    if isinstance(module, twin_class):
        return _our_gpt(torch, module, gpt_class)
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch takes a torch.nn.Sequential of {', '.join(SUPPORTED_LAYERS)} layers (or a GPT "
                        f"twin), got {type(module).__name__}"
                        + ("; wrap it: torch.nn.Sequential(layer)" if type(module).__name__ in SUPPORTED_LAYERS else ""))
    plan = _sequential_plan(torch, module)
    _warn_if_large(sum(p.numel() for p in module.parameters()))
    hidden = [activation for _, _, activation in plan[:-1]]
    nin = plan[0][1].in_features
    nouts = [linear.out_features for _, linear, _ in plan]
    model = _made_without_touching_random(
        lambda: MLP(nin, nouts, activation=hidden[0] if hidden else plan[-1][2], output_activation=plan[-1][2]))
    for layer, (position, linear, _) in zip(model.layers, plan):
        weights = _plain_rows(torch, linear.weight, f"{position}.weight")
        biases = _plain_rows(torch, linear.bias, f"{position}.bias")
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.data = weights[j][k]
                w.label = f"{position}.weight[{j}, {k}]"
            neuron.b.data = biases[j]
            neuron.b.label = f"{position}.bias[{j}]"
    return model


def _sequential_plan(torch, sequential):
    """[(index in the Sequential, Linear, our activation name)] for each Linear, after checking every layer."""
    children = list(sequential.named_children())
    if not children:
        raise ValueError("from_torch: the Sequential is empty; it needs at least one Linear layer")
    plan = []
    for name, layer in children:
        kind = type(layer).__name__
        if type(layer) is torch.nn.Linear:
            if layer.bias is None:
                raise ValueError(f"from_torch: layer {name} (Linear) has no bias; each neuron here has one, so build "
                                 f"it with bias=True")
            if plan and layer.in_features != plan[-1][1].out_features:
                raise ValueError(f"from_torch: layer {name} (Linear) takes {layer.in_features} inputs, but the "
                                 f"Linear before it gives {plan[-1][1].out_features}")
            plan.append((name, layer, "linear"))
        elif type(layer) is torch.nn.Identity:
            continue
        elif kind in OUR_ACTIVATIONS and type(layer) is getattr(torch.nn, kind):
            if not plan:
                raise ValueError(f"from_torch: layer {name} ({kind}) comes before any Linear; here an activation "
                                 f"belongs to the neurons of the Linear before it")
            if plan[-1][2] != "linear":
                raise ValueError(f"from_torch: layer {name} ({kind}) follows another activation; a neuron here "
                                 f"applies one activation to w·x + b")
            plan[-1] = (plan[-1][0], plan[-1][1], OUR_ACTIVATIONS[kind])
        else:
            raise TypeError(f"from_torch: layer {name} of the Sequential is {kind}, which has no counterpart here; "
                            f"supported layers: {', '.join(SUPPORTED_LAYERS)}")
    if not plan:
        raise ValueError("from_torch: the Sequential has no Linear layer, so there are no neurons to make")
    hidden = [(name, activation) for name, _, activation in plan[:-1]]
    if len({activation for _, activation in hidden}) > 1:
        listed = ", ".join(f"{activation} after layer {name}" for name, activation in hidden)
        raise ValueError(f"from_torch: an MLP here uses one activation for all hidden layers (the last may differ), "
                         f"but this Sequential has {listed}")
    return plan


def _our_gpt(torch, twin, gpt_class):
    """Our GPT with the twin's weights, each parameter labelled with its torch name ('wte.weight[4, 0]')."""
    gpt_class = gpt_class if gpt_class is not None else getattr(twin, "gpt_class", None)
    if gpt_class is None:
        raise ValueError("from_torch: this GPT twin was not made by to_torch, so it does not know which GPT class to "
                         "build; pass it: from_torch(twin, gpt_class=demos.gpt.GPT)")
    _warn_if_large(sum(p.numel() for p in twin.parameters()))
    model = _made_without_touching_random(lambda: gpt_class(
        vocab_size=twin.vocab_size, n_embd=twin.n_embd, n_head=twin.n_head, n_layer=len(twin.layers),
        block_size=twin.block_size))
    parameters = dict(twin.named_parameters())
    for name, rows in _gpt_weight_tables(model).items():
        values = _plain_rows(torch, parameters[name], name)
        for i, row in enumerate(rows):
            for j, parameter in enumerate(row):
                parameter.data = values[i][j]
                parameter.label = f"{name}[{i}, {j}]"
    return model


def _plain_rows(torch, tensor, name):
    """A torch parameter's numbers as nested lists of Python floats (exact: float64 holds every float32)."""
    if tensor.is_complex():
        raise TypeError(f"from_torch: {name} is complex; only real weights can become Values")
    numbers = tensor.detach().to(device="cpu", dtype=torch.float64)
    if not bool(torch.isfinite(numbers).all()):
        raise ValueError(f"from_torch: {name} holds NaN or infinite numbers")
    return numbers.tolist()


def _warn_if_large(count):
    if count > LARGE_MODEL:
        warnings.warn(f"from_torch: the model has {count:,} parameters; every forward and backward pass here builds "
                      f"a graph of at least that many scalar Values, which is slow (fine below {LARGE_MODEL:,})",
                      LargeModelWarning, stacklevel=3)


def _made_without_touching_random(make):
    """make(), with Python's random state put back afterwards (its random weights are overwritten anyway)."""
    state = random.getstate()
    try:
        return make()
    finally:
        random.setstate(state)


# ---- the names ------------------------------------------------------------------------------------
def name_map(model, module=None):
    """{our name: torch name} for every parameter, in the order of `model.parameters()`.

    Our name is the Python path to the Value ('layers[0].neurons[3].w[1]'); the torch name is the
    parameter tensor's name in `module.named_parameters()` and the entry in it ('0.weight[3, 1]').
    For an MLP, the Linear layers' places in the Sequential are read from `module` if given
    (it may hold Identity layers), else they are where `to_torch` puts them.
    >>> import random; random.seed(0)
    >>> for ours, theirs in list(name_map(MLP(3, [2, 1]), ).items())[-4:]:
    ...     print(f"{ours:<26} {theirs}")
    layers[0].neurons[1].b     0.bias[1]
    layers[1].neurons[0].w[0]  2.weight[0, 0]
    layers[1].neurons[0].w[1]  2.weight[0, 1]
    layers[1].neurons[0].b     2.bias[0]
    """
    return {python_path(path): theirs for path, theirs in _torch_names(model, module)}


def torch_name(model, parameter, module=None):
    """The torch name of one parameter of `model`, given as a Value or by our name (either spelling).

    >>> import random; random.seed(0); model = MLP(2, [16, 16, 1])
    >>> torch_name(model, model.layers[0].neurons[3].w[1]), torch_name(model, "layers.1.neurons.0.b")
    ('0.weight[3, 1]', '2.bias[0]')
    """
    named = model.named_parameters()
    if isinstance(parameter, str):
        wanted = _dotted_path(parameter)
        for path, theirs in _torch_names(model, module):
            if path == wanted:
                return theirs
        raise KeyError(f"{type(model).__name__} has no parameter named {parameter!r}")
    for (_, value), (_, theirs) in zip(named, _torch_names(model, module)):
        if value is parameter:
            return theirs
    raise KeyError(f"the Value {parameter!r} is not a parameter of this {type(model).__name__}")


def our_name(model, name, module=None):
    """Our name ('layers[0].neurons[3].w[1]') for a torch name such as '0.weight[3, 1]' (spaces optional).

    >>> import random; random.seed(0); model = MLP(2, [16, 16, 1])
    >>> our_name(model, "0.weight[3, 1]"), our_name(model, "4.bias[0]")
    ('layers[0].neurons[3].w[1]', 'layers[2].neurons[0].b')
    """
    wanted = re.sub(r"\s+", "", name)
    for path, theirs in _torch_names(model, module):
        if theirs.replace(" ", "") == wanted:
            return python_path(path)
    raise KeyError(f"{type(model).__name__} has no parameter whose torch name is {name!r}")


def _torch_names(model, module):
    """[(our dotted path, torch name)] for every parameter of `model`, in the order of named_parameters()."""
    named = model.named_parameters()
    if isinstance(model, (MLP, Layer)):
        positions = _linear_positions(model.layers if isinstance(model, MLP) else [model], module)
        names = []
        for path, _ in named:                                  # 'layers.1.neurons.3.w.2' or 'neurons.3.b'
            layer, neuron, kind, weight = re.fullmatch(r"(?:layers\.(\d+)\.)?neurons\.(\d+)\.(w|b)(?:\.(\d+))?",
                                                       path).groups()
            position = positions[int(layer or 0)]
            names.append((path, f"{position}.weight[{neuron}, {weight}]" if kind == "w" else f"{position}.bias[{neuron}]"))
        return names
    if _is_gpt(model):
        names = []
        for path, _ in named:                                  # 'layers.0.attn_wq.weight.2.9'
            table, row, column = path.rsplit(".", 2)
            names.append((path, f"{table}[{row}, {column}]"))
        return names
    raise TypeError(f"torch names are known for an nn.MLP, an nn.Layer and the GPT of demos.gpt, not for "
                    f"{type(model).__name__}")


def _linear_positions(layers, module):
    """Where each layer's Linear sits in the Sequential: read from `module`, or as `to_torch` lays them out."""
    if module is not None:
        torch = _import_torch("reading a torch module's layout")
        plan = _sequential_plan(torch, module)
        if len(plan) != len(layers):
            raise ValueError(f"the Sequential has {len(plan)} Linear layers but the model has {len(layers)} layers")
        return [name for name, _, _ in plan]                    # the children's names: '0', '2', or 'fc1'
    positions, position = [], 0
    for layer in layers:
        positions.append(str(position))
        position += 1 if layer.activation == "linear" else 2
    return positions


def _dotted_path(name):
    """Our name in either spelling as the dotted path of named_parameters(): 'w[1]' -> 'w.1'.

    >>> _dotted_path("layers[0].neurons[3].w[1]"), _dotted_path("layers.0.neurons.3.b")
    ('layers.0.neurons.3.w.1', 'layers.0.neurons.3.b')
    """
    return re.sub(r"\[(\d+)\]", r".\1", name.replace(" ", ""))


# ---- the GPT's twin -------------------------------------------------------------------------------
_TWIN_CLASSES = {}


def __getattr__(name):
    """`nn.bridge.TorchGPT` and `nn.bridge.TorchBlock`: made (and torch imported) when first asked for."""
    if name in ("TorchGPT", "TorchBlock"):
        return gpt_twin_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def gpt_twin_classes():
    """{'TorchGPT': ..., 'TorchBlock': ...}: the GPT of demos.gpt written with torch tensors, defined on first use.

    The twin has the same parameters under the same names (wte.weight, layers.0.attn_wq.weight, ...,
    lm_head.weight) and computes the same function, but reads a whole name at once: the causal
    mask does what the scalar GPT's key/value cache does, one position at a time.
    >>> import torch; _ = torch.manual_seed(0)
    >>> TorchGPT = gpt_twin_classes()["TorchGPT"]
    >>> twin = TorchGPT(vocab_size=27).double()
    >>> sum(p.numel() for p in twin.parameters()), tuple(twin(torch.tensor([26, 0, 1])).shape)
    (4192, (3, 27))
    """
    if _TWIN_CLASSES:
        return _TWIN_CLASSES
    torch = _import_torch("the GPT twin")

    def rmsnorm(x, eps=1e-5):
        """Each row rescaled to a root mean square of about 1, as nn.rmsnorm does to one vector."""
        return x * ((x * x).mean(dim=-1, keepdim=True) + eps) ** -0.5

    class TorchBlock(torch.nn.Module):
        """One transformer block on a (positions, n_embd) tensor: x + attention(rmsnorm(x)), x + mlp(rmsnorm(x))."""

        def __init__(self, n_embd, n_head, device=None, dtype=None):
            super().__init__()
            self.n_head, self.head_dim = n_head, n_embd // n_head
            linear = lambda nin, nout: torch.nn.Linear(nin, nout, bias=False, device=device, dtype=dtype)
            self.attn_wq, self.attn_wk = linear(n_embd, n_embd), linear(n_embd, n_embd)
            self.attn_wv, self.attn_wo = linear(n_embd, n_embd), linear(n_embd, n_embd)
            self.mlp_fc1, self.mlp_fc2 = linear(n_embd, 4 * n_embd), linear(4 * n_embd, n_embd)

        def forward(self, x):
            positions = x.shape[0]
            h = rmsnorm(x)
            # (positions, n_embd) -> (n_head, positions, head_dim): each head sees its own slice
            q, k, v = [part(h).view(positions, self.n_head, self.head_dim).transpose(0, 1)
                       for part in (self.attn_wq, self.attn_wk, self.attn_wv)]
            scores = q @ k.transpose(1, 2) / self.head_dim ** 0.5
            future = torch.ones(positions, positions, dtype=torch.bool, device=x.device).triu(diagonal=1)
            weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)   # causal: no peeking ahead
            mixed = (weights @ v).transpose(0, 1).reshape(positions, -1)
            x = x + self.attn_wo(mixed)
            return x + self.mlp_fc2(torch.relu(self.mlp_fc1(rmsnorm(x))))

    class TorchGPT(torch.nn.Module):
        """The GPT of demos.gpt in torch: token + position embeddings, blocks of attention and MLP, a linear head.

        `forward(tokens)` gives the logits for every position of a 1-d tensor of token ids;
        `loss(tokens)` the mean cross-entropy of predicting each next token, as GPT.loss does.
        """

        def __init__(self, vocab_size, n_embd=16, n_head=4, n_layer=1, block_size=16, std=0.08, device=None,
                     dtype=None):
            super().__init__()
            if n_embd % n_head:
                raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
            self.vocab_size, self.n_embd, self.n_head, self.block_size = vocab_size, n_embd, n_head, block_size
            self.wte = torch.nn.Embedding(vocab_size, n_embd, device=device, dtype=dtype)
            self.wpe = torch.nn.Embedding(block_size, n_embd, device=device, dtype=dtype)
            self.layers = torch.nn.ModuleList(TorchBlock(n_embd, n_head, device, dtype) for _ in range(n_layer))
            self.lm_head = torch.nn.Linear(n_embd, vocab_size, bias=False, device=device, dtype=dtype)
            for parameter in self.parameters():               # every weight from N(0, std²), as in demos.gpt
                torch.nn.init.normal_(parameter, 0.0, std)

        def forward(self, tokens):
            tokens = torch.as_tensor(tokens, dtype=torch.long, device=self.wte.weight.device)
            positions = torch.arange(tokens.shape[0], device=tokens.device)
            x = rmsnorm(self.wte(tokens) + self.wpe(positions))
            for block in self.layers:
                x = block(x)
            return self.lm_head(x)

        def loss(self, tokens):
            tokens = torch.as_tensor(tokens, dtype=torch.long, device=self.wte.weight.device)
            positions = min(self.block_size, tokens.shape[0] - 1)
            logits = self(tokens[:positions])
            return torch.nn.functional.cross_entropy(logits, tokens[1:positions + 1])

    for made in (TorchBlock, TorchGPT):                        # so copies find them by name as nn.bridge.TorchGPT
        made.__module__, made.__qualname__ = __name__, made.__name__
    _TWIN_CLASSES.update(TorchGPT=TorchGPT, TorchBlock=TorchBlock)
    return _TWIN_CLASSES
