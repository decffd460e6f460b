"""Tests of nn's modules: Module, Neuron, Layer, MLP (shapes, init, graph shape, PyTorch agreement, errors)."""
import math
import random

import pytest
import torch

from autograd import Value, no_grad

import nn
from nn import MLP, Layer, Module, Neuron, mse_loss


TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z}


def torch_copy(model):
    """The model's weights as PyTorch float64 tensors, one (W, b) pair per layer, requiring grad."""
    return [(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
             torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True))
            for layer in model.layers]


def torch_forward(model, weights, x):
    """The same network as `model` run in PyTorch with `weights` (from torch_copy) on the tensor x."""
    h = x
    for (W, b), layer in zip(weights, model.layers):
        h = TORCH_ACTIVATIONS[layer.activation](W @ h + b)
    return h


# ---- the public API and the parameter count -------------------------------------------------------
def test_public_api_imports():
    """Everything the issue lists is importable from nn and listed in __all__."""
    names = ["Module", "Neuron", "Layer", "MLP", "SGD", "Adam", "mse_loss", "hinge_loss",
             "binary_cross_entropy", "cross_entropy", "save", "load",
             "Embedding", "Linear", "rmsnorm", "softmax", "log_softmax", "to_torch", "from_torch", "health", "Recorder"]
    for name in names:
        assert hasattr(nn, name), name
    assert sorted(nn.__all__) == sorted(names)


def test_mlp_2_16_16_1_has_337_parameters():
    """(2·16 + 16) + (16·16 + 16) + (16·1 + 1) = 337 parameters, all distinct Values."""
    model = MLP(2, [16, 16, 1])
    parameters = model.parameters()
    assert len(parameters) == (2 * 16 + 16) + (16 * 16 + 16) + (16 * 1 + 1) == 337
    assert len({id(p) for p in parameters}) == 337
    assert all(type(p) is Value and p.is_leaf() for p in parameters)


@pytest.mark.parametrize("model", [Neuron(3), Layer(3, 4), MLP(3, [4, 2])], ids=lambda m: type(m).__name__)
def test_parameters_follow_named_parameters(model):
    """The fast parameters() lists exactly the Values of the generic named_parameters(), in the same order."""
    named = model.named_parameters()
    assert [id(p) for p in model.parameters()] == [id(p) for _, p in named]
    assert len({name for name, _ in named}) == len(named)


def test_parameter_names_are_attribute_paths():
    """A name like 'layers.1.neurons.0.w.2' leads to the parameter through the attributes."""
    model = MLP(3, [4, 2])
    for name, parameter in model.named_parameters():
        item = model
        for part in name.split("."):
            item = item[int(part)] if part.isdigit() else getattr(item, part)
        assert item is parameter
    assert model.named_parameters()[0][0] == "layers.0.neurons.0.w.0"
    assert model.named_parameters()[-1][0] == "layers.1.neurons.1.b"


def test_custom_module_finds_nested_parameters_once():
    """A user's Module finds Values in attributes, sub-Modules and lists; a shared Value is listed once."""
    class TwoHeads(Module):
        def __init__(self):
            self.body = Layer(2, 3)
            self.heads = [Neuron(3, "linear"), Neuron(3, "linear")]
            self.temperature = Value(1.0)
            self.heads[1].w[0] = self.heads[0].w[0]             # a tied weight
            self.name = "not a parameter"

    model = TwoHeads()
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "body.neurons.0.w.0"
    assert "heads.1.w.0" not in names and "heads.0.w.0" in names
    assert names[-1] == "temperature"
    assert len(names) == 3 * 3 + 2 * 4 - 1 + 1


# ---- calling a model -------------------------------------------------------------------------------
def test_one_output_gives_a_value_several_give_a_list():
    """MLP(.., [.., 1]) returns a single Value; MLP(.., [.., 3]) a list of 3 Values; a Layer always a list."""
    assert type(MLP(2, [4, 1])([1.0, 2.0])) is Value
    outputs = MLP(2, [4, 3])([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 3 and all(type(y) is Value for y in outputs)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), list)


def test_one_neuron_hidden_layer_works():
    """MLP(2, [16, 1, 1]) runs and backpropagates through its one-neuron hidden layer."""
    random.seed(3)
    model = MLP(2, [16, 1, 1], activation="tanh")
    y = model([0.3, -0.7])
    y.backward()
    first_layer_grads = [p.grad for n in model.layers[0].neurons for p in n.w]
    assert any(g != 0.0 for g in first_layer_grads)


def test_inputs_may_be_floats_ints_or_values():
    """Floats, ints and Values as inputs give the same output; Value inputs get gradients."""
    random.seed(0)
    model = MLP(2, [5, 1], activation="tanh")
    x = [Value(1.0), Value(-2.0)]
    y = model(x)
    assert model([1.0, -2.0]).data == model([1, -2]).data == model((1.0, -2.0)).data == y.data
    y.backward()
    assert x[0].grad != 0.0 and x[1].grad != 0.0


def test_neuron_pre_activation_is_one_node():
    """A neuron is one 'wx+b' node (edges to every w, x and b) then one activation node."""
    neuron = Neuron(3, activation="relu")
    x = [Value(1.0), Value(2.0), Value(3.0)]
    y = neuron(x)
    assert y.op == "relu" and len(y.parents) == 1
    z = y.parents[0]
    assert z.op == "wx+b"
    assert {id(p) for p in z.parents} == {id(v) for v in neuron.w + x + [neuron.b]}
    linear = Neuron(3, activation="linear")
    assert linear(x).op == "wx+b"


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_activation_choice_is_used(activation):
    """Hidden layers use `activation`; the last layer is linear unless output_activation says otherwise."""
    model = MLP(2, [3, 3, 2], activation=activation)
    expected_op = "wx+b" if activation == "linear" else activation
    hidden = model.layers[0]([0.5, -0.5])
    assert all(h.op == expected_op for h in hidden)
    assert all(y.op == "wx+b" for y in model([0.5, -0.5]))
    squashed = MLP(2, [3, 1], activation=activation, output_activation="sigmoid")
    assert squashed([0.5, -0.5]).op == "sigmoid"


def test_layer_shares_one_leaf_per_float_input():
    """A Layer turns each float input into one leaf Value that all its neurons read."""
    outputs = Layer(2, 3, activation="linear")([1.5, -2.5])
    first_inputs = [z.parents[2:4] for z in outputs]                 # (w0, w1, x0, x1, b) per node
    assert all(xs[0] is first_inputs[0][0] and xs[1] is first_inputs[0][1] for xs in first_inputs)


def test_no_grad_forward_builds_no_graph():
    """Under no_grad the output is a leaf with the same value as the recorded forward pass."""
    model = MLP(2, [4, 4, 1])
    recorded = model([0.2, 0.9])
    with no_grad():
        plain = model([0.2, 0.9])
    assert plain.is_leaf() and not recorded.is_leaf()
    assert plain.data == recorded.data


# ---- agreement with PyTorch ------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_loss_and_gradients_match_pytorch(activation):
    """An MLP's MSE loss, every parameter gradient and the input gradients equal PyTorch's (float64)."""
    random.seed(11)
    model = MLP(3, [6, 5, 2], activation=activation)
    rng = random.Random(5)
    points = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
    targets = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(4)]

    inputs = [[Value(c) for c in point] for point in points]
    outputs = [y for x in inputs for y in model(x)]
    loss = mse_loss(outputs, [t for pair in targets for t in pair])
    model.zero_grad()
    loss.backward()

    weights = torch_copy(model)
    torch_inputs = [torch.tensor(point, dtype=torch.float64, requires_grad=True) for point in points]
    torch_outputs = torch.stack([torch_forward(model, weights, x) for x in torch_inputs])
    torch_loss = torch.nn.functional.mse_loss(torch_outputs, torch.tensor(targets, dtype=torch.float64))
    torch_loss.backward()

    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12, abs=1e-15)
    for layer, (W, b) in zip(model.layers, weights):
        for j, neuron in enumerate(layer.neurons):
            assert [w.grad for w in neuron.w] == pytest.approx(W.grad[j].tolist(), rel=1e-9, abs=1e-13)
            assert neuron.b.grad == pytest.approx(b.grad[j].item(), rel=1e-9, abs=1e-13)
    for ours, theirs in zip(inputs, torch_inputs):
        assert [v.grad for v in ours] == pytest.approx(theirs.grad.tolist(), rel=1e-9, abs=1e-13)


# ---- initialization --------------------------------------------------------------------------------
def test_random_seed_makes_models_reproducible():
    """random.seed(n) before building gives identical weights; another seed gives different ones."""
    random.seed(42)
    first = MLP(2, [8, 1]).state_dict()
    random.seed(42)
    second = MLP(2, [8, 1]).state_dict()
    random.seed(43)
    third = MLP(2, [8, 1]).state_dict()
    assert first == second
    assert first != third


@pytest.mark.parametrize("activation, variance_times_nin", [("relu", 2.0), ("tanh", 1.0),
                                                            ("sigmoid", 1.0), ("linear", 1.0)])
def test_init_scale_suits_the_activation(activation, variance_times_nin):
    """Weights are U(-a, a) with Var = 2/nin for relu (He) and 1/nin otherwise (LeCun); biases start at 0."""
    random.seed(1)
    nin = 400
    layer = Layer(nin, 50, activation=activation)
    weights = [w.data for n in layer.neurons for w in n.w]
    bound = math.sqrt(3.0 * variance_times_nin / nin)
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > 0.99 * bound                # the whole range is used
    mean = sum(weights) / len(weights)
    variance = sum((w - mean) ** 2 for w in weights) / len(weights)
    assert variance == pytest.approx(variance_times_nin / nin, rel=0.03)   # 20000 draws: ~0.6% noise
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_wide_relu_net_keeps_its_signal():
    """With He init a deep, wide relu net neither explodes nor dies (unlike U(-1, 1) for every width)."""
    random.seed(2)
    model = MLP(32, [64, 64, 64, 64, 1])
    rng = random.Random(0)
    point = [rng.gauss(0, 1) for _ in range(32)]
    h = point
    for layer in model.layers[:-1]:
        h = layer(h)
    mean_square = sum(v.data ** 2 for v in h) / len(h)
    assert 0.1 < mean_square < 10.0


# ---- zero_grad, state_dict, repr ---------------------------------------------------------------------
def test_zero_grad_clears_every_gradient():
    """After backward every parameter gradient may be non-zero; zero_grad sets all of them to 0."""
    random.seed(0)
    model = MLP(2, [4, 1], activation="tanh")
    model([0.5, 0.5]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_and_snapshot():
    """load_state_dict restores a state_dict exactly; the dict is a snapshot that training does not change."""
    random.seed(0)
    model = MLP(2, [3, 1])
    state = model.state_dict()
    before = dict(state)
    for p in model.parameters():
        p.data += 1.0
    assert state == before
    random.seed(99)
    other = MLP(2, [3, 1])
    assert other.load_state_dict(state) is other
    assert other.state_dict() == state
    assert other([0.25, 0.5]).data == MLP(2, [3, 1]).load_state_dict(state)([0.25, 0.5]).data


@pytest.mark.parametrize("change, error", [
    (lambda s: s.pop("layers.1.neurons.0.b"), KeyError),
    (lambda s: s.update({"layers.9.neurons.0.b": 1.0}), ValueError),
    (lambda s: s.update({"layers.0.neurons.0.w.0": True}), TypeError),
    (lambda s: s.update({"layers.0.neurons.0.w.0": "0.5"}), TypeError),
    (lambda s: s.update({"layers.1.neurons.0.b": float("nan")}), ValueError),
    (lambda s: s.update({"layers.1.neurons.0.b": float("inf")}), ValueError),
])
def test_bad_state_dict_raises_and_changes_nothing(change, error):
    """A missing name, unknown name, bool, str or NaN/inf value raises naming it; no parameter is set."""
    random.seed(0)
    model = MLP(2, [3, 1])
    before = model.state_dict()
    state = {name: value + 1.0 for name, value in before.items()}   # every other entry is valid
    change(state)
    with pytest.raises(error, match=r"layers\.|parameter"):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_repr_is_readable():
    """repr shows sizes and activations of the model and its layers, and the parameter count."""
    text = repr(MLP(2, [16, 16, 1], activation="tanh"))
    assert text.splitlines()[0] == "MLP(nin=2, nouts=[16, 16, 1], activation='tanh', output_activation='linear')"
    assert "Layer(nin=16, nout=1, activation='linear')" in text
    assert "337 parameters" in text
    assert repr(Neuron(3, "sigmoid")) == "Neuron(nin=3, activation='sigmoid')"


# ---- bad arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize("build, error, words", [
    (lambda: Neuron(0), ValueError, "nin"),
    (lambda: Neuron(-3), ValueError, "nin"),
    (lambda: Neuron(2.0), TypeError, "nin"),
    (lambda: Neuron(True), TypeError, "nin"),
    (lambda: Neuron(2, activation="swish"), ValueError, "swish"),
    (lambda: Neuron(2, activation=None), TypeError, "activation"),
    (lambda: Layer(2, 0), ValueError, "nout"),
    (lambda: MLP(2, []), TypeError, "nouts"),
    (lambda: MLP(2, 3), TypeError, "nouts"),
    (lambda: MLP(2, [4, 0, 1]), ValueError, r"nouts\[1\]"),
    (lambda: MLP(0, [4, 1]), ValueError, "nin"),
    (lambda: MLP(2, [4, 1], activation="RELU"), ValueError, "RELU"),
    (lambda: MLP(2, [4, 1], output_activation="softmax"), ValueError, "softmax"),
])
def test_bad_constructor_arguments_raise_naming_them(build, error, words):
    """A bad size or activation raises ValueError/TypeError with a message naming it."""
    with pytest.raises(error, match=words):
        build()


@pytest.mark.parametrize("module", [Neuron(3), Layer(3, 2), MLP(3, [2, 1])], ids=lambda m: type(m).__name__)
def test_wrong_input_length_raises(module):
    """Calling with the wrong number of inputs raises ValueError saying how many were expected."""
    with pytest.raises(ValueError, match="3 inputs got 2"):
        module([1.0, 2.0])
    with pytest.raises(ValueError, match="3 inputs got 4"):
        module([1.0, 2.0, 3.0, 4.0])


def test_non_number_input_raises_type_error():
    """A string input raises TypeError (from Value), not a silent wrong answer."""
    with pytest.raises(TypeError):
        MLP(2, [2, 1])([1.0, "2"])


def test_activation_cannot_be_changed_after_construction():
    """The activation is read-only: changing it could not change the math or the saved weights' scale."""
    model = MLP(2, [3, 1], activation="tanh")
    for module, name in ((model, "activation"), (model, "output_activation"),
                         (model.layers[0], "activation"), (model.layers[0].neurons[0], "activation")):
        with pytest.raises(AttributeError):
            setattr(module, name, "relu")
    assert model.layers[0].activation == "tanh" and model.output_activation == "linear"


def test_a_subclass_parameter_is_listed_and_trained():
    """A Value a subclass adds to an MLP is in parameters(), so optimizers and zero_grad reach it."""
    class Scaled(MLP):
        def __init__(self):
            super().__init__(2, [3, 1])
            self.scale = Value(2.0)

        def __call__(self, x):
            return super().__call__(x) * self.scale

    model = Scaled()
    assert any(p is model.scale for p in model.parameters())
    assert len(model.parameters()) == len(dict(model.named_parameters()))


# ---- the module tree is walked once per module ---------------------------------------------------------
class Tree(Module):
    """A model whose child keeps a reference back to it, as a user's code often does."""

    def __init__(self):
        self.body = Layer(2, 3)
        self.body.owner = self                                   # the back-reference
        self.scale = Value(2.0)


def test_a_back_reference_to_the_parent_does_not_recurse(tmp_path):
    """parameters, zero_grad, state_dict, load_state_dict, repr and save work on a tree with a back-reference."""
    model = Tree()
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"body.neurons.{n}.{p}" for n in range(3) for p in ("w.0", "w.1", "b")] + ["scale"]
    assert len(model.parameters()) == 3 * 3 + 1
    model.scale.grad = 5.0
    model.zero_grad()
    assert model.scale.grad == 0.0
    state = model.state_dict()
    assert model.load_state_dict(state) is model
    assert "10 parameters" in repr(model)
    copy = Tree()
    nn.load(copy, nn.save(model, tmp_path / "tree.json"))
    assert copy.state_dict() == state


def test_a_module_shared_by_two_parents_is_listed_once_like_torch():
    """A Layer held by two attributes (and a child pointing at it) gives its parameters once, under the first name."""
    class Shared(Module):
        def __init__(self):
            self.encoder = Layer(2, 2)
            self.decoder = self.encoder
            self.heads = [Neuron(2), self.encoder]
            self.heads[0].sibling = self.encoder

    model = Shared()
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"encoder.neurons.{n}.{p}" for n in range(2) for p in ("w.0", "w.1", "b")] + [
        "heads.0.w.0", "heads.0.w.1", "heads.0.b"]

    class TorchShared(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(2, 2)
            self.decoder = self.encoder
            self.heads = torch.nn.ModuleList([torch.nn.Linear(2, 1), self.encoder])

    theirs = [name for name, _ in TorchShared().named_parameters()]
    assert theirs == ["encoder.weight", "encoder.bias", "heads.0.weight", "heads.0.bias"]   # the same rule


def test_a_list_that_contains_itself_does_not_recurse():
    """A list holding itself (or a module holding itself) is walked once."""
    model = Module()
    model.weights = [Value(1.0)]
    model.weights.append(model.weights)
    model.me = model
    assert model.named_parameters() == [("weights.0", model.weights[0])]


def test_a_deep_chain_of_modules_needs_no_deep_recursion():
    """A chain of 5,000 nested modules lists its one parameter (the walk keeps its own stack)."""
    root = node = Module()
    for _ in range(5000):
        node.next = Module()
        node = node.next
    node.weight = Value(1.0)
    (name, parameter), = root.named_parameters()
    assert parameter is node.weight and name.count("next") == 5000
