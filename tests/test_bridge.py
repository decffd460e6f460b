"""Tests of the bridge to PyTorch: to_torch and from_torch keep every output, loss and gradient (float64, 1e-12),
map parameter names both ways, refuse what they cannot carry by name, and leave torch optional."""
import copy
import pickle
import random
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import nn
from autograd import animate_backward, draw_dot, explain, format_tree
from nn.bridge import LargeModelWarning, name_map, our_name, torch_name

torch = pytest.importorskip("torch")

from demos import gpt, moons                                   # noqa: E402  (after the torch check)
from demos.datasets import make_moons                         # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-12
ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


def close(a, b, tolerance=TOLERANCE):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def entry(module, name):
    """The torch tensor and index a torch name such as '2.weight[3, 1]' points at."""
    tensor_name, index = re.fullmatch(r"(.+)\[([\d, ]+)\]", name).groups()
    return dict(module.named_parameters())[tensor_name], tuple(int(i) for i in index.split(","))


def assert_same_gradients(model, module):
    """Every parameter of ours has the value and gradient of the torch entry its torch name points at."""
    checked = 0
    tensors = dict(module.named_parameters())
    for (path, parameter), theirs in zip(model.named_parameters(), name_map(model, module).values()):
        tensor_name, index = re.fullmatch(r"(.+)\[([\d, ]+)\]", theirs).groups()
        index = tuple(int(i) for i in index.split(","))
        tensor = tensors[tensor_name]
        assert parameter.data == tensor.detach()[index].item(), path
        assert close(parameter.grad, tensor.grad[index].item()), (path, parameter.grad, tensor.grad[index].item())
        checked += 1
    assert checked == sum(p.numel() for p in module.parameters())


def random_inputs(count, width, seed):
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(width)] for _ in range(count)]


# ---- ours -> torch --------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output_activation", ["linear", "sigmoid"])
def test_an_mlp_and_its_export_agree_on_outputs_loss_and_gradients(activation, output_activation):
    """For every activation, MLP and to_torch(MLP) give the same outputs, MSE loss and gradients (1e-12)."""
    random.seed(3)
    model = nn.MLP(3, [5, 4, 2], activation=activation, output_activation=output_activation)
    module = nn.to_torch(model)
    expected_layers = []
    for layer in model.layers:
        expected_layers += ["Linear"] + ([] if layer.activation == "linear" else [nn.bridge.TORCH_ACTIVATIONS[layer.activation]])
    assert [type(m).__name__ for m in module] == expected_layers
    inputs = random_inputs(6, 3, seed=4)
    targets = random_inputs(6, 2, seed=5)
    outputs = [model(x) for x in inputs]
    loss = nn.mse_loss([y for row in outputs for y in row], [t for row in targets for t in row])
    loss.backward()
    theirs = module(torch.tensor(inputs, dtype=torch.float64))
    torch_loss = ((theirs - torch.tensor(targets, dtype=torch.float64)) ** 2).mean()
    torch_loss.backward()
    assert all(close(y.data, t) for row, trow in zip(outputs, theirs.tolist()) for y, t in zip(row, trow))
    assert close(loss.data, torch_loss.item())
    assert_same_gradients(model, module)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_layer_becomes_one_linear_and_its_activation(activation):
    """to_torch(Layer) is Sequential(Linear[, activation]); outputs and gradients agree (1e-12)."""
    random.seed(1)
    layer = nn.Layer(4, 3, activation=activation)
    module = nn.to_torch(layer)
    assert type(module[0]) is torch.nn.Linear and len(module) == (1 if activation == "linear" else 2)
    x = [0.3, -1.1, 0.8, 2.0]
    outputs = layer(x)
    nn.mse_loss(outputs, [1.0, -1.0, 0.5]).backward()
    theirs = module(torch.tensor(x, dtype=torch.float64))
    torch.nn.functional.mse_loss(theirs, torch.tensor([1.0, -1.0, 0.5], dtype=torch.float64)).backward()
    assert all(close(y.data, t) for y, t in zip(outputs, theirs.tolist()))
    assert_same_gradients(layer, module)


def test_the_moons_mlp_and_its_export_agree_on_the_moons_loss():
    """The moons MLP on the moons data: hinge + L2 loss and all 337 gradients equal torch's (1e-12)."""
    points, labels = make_moons(n_samples=100, noise=0.1, seed=0)
    random.seed(0)
    model = nn.MLP(2, [16, 16, 1])
    module = nn.to_torch(model)
    loss, _ = moons.loss_and_accuracy(model, points, labels)
    loss.backward()
    scores = module(torch.tensor(points, dtype=torch.float64)).squeeze(1)
    penalty = sum((p * p).sum() for p in module.parameters())
    y = torch.tensor(labels, dtype=torch.float64)
    expected = torch.relu(1.0 - y * scores).mean() + moons.ALPHA * penalty
    expected.backward()
    assert close(loss.data, expected.item())
    assert all(close(model(p).data, s) for p, s in zip(points, scores.tolist()))
    assert_same_gradients(model, module)


def gpt_model(seed=7):
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(seed)
    return gpt.GPT(vocabulary.size), vocabulary


def test_the_gpt_and_its_twin_agree_on_logits_loss_and_every_gradient():
    """The GPT's torch twin: every position's logits, the loss and all 4,192 gradients equal ours (1e-12),
    for a short name and one that fills all 16 positions."""
    model, vocabulary = gpt_model()
    twin = nn.to_torch(model)
    assert type(twin).__name__ == "TorchGPT" and twin.gpt_class is gpt.GPT
    for name in ("ada", "maximilianjoseph"):
        tokens = vocabulary.encode(name)
        model.zero_grad()
        twin.zero_grad()
        cache = model.new_cache()
        positions = min(model.block_size, len(tokens) - 1)
        ours = [[v.data for v in model(tokens[p], p, cache)] for p in range(positions)]
        theirs = twin(torch.tensor(tokens[:positions])).tolist()
        assert all(close(a, b) for row, trow in zip(ours, theirs) for a, b in zip(row, trow))
        loss = model.loss(tokens)
        loss.backward()
        expected = twin.loss(tokens)
        expected.backward()
        assert close(loss.data, expected.item())
        assert_same_gradients(model, twin)


def test_exported_weights_are_a_copy():
    """Training the torch model leaves ours as it was, and the other way round."""
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    module = nn.to_torch(model)
    before = model.state_dict()
    with torch.no_grad():
        module[0].weight += 1.0
    assert model.state_dict() == before
    model.layers[0].neurons[0].w[0].data = 9.0
    assert module[0].weight[0, 0].item() != 9.0


def test_to_torch_dtype_and_what_it_refuses():
    """float32 on request; a non-float dtype and a model it cannot carry raise errors that say what was wrong."""
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    assert nn.to_torch(model, dtype=torch.float32)[0].weight.dtype == torch.float32
    with pytest.raises(TypeError, match="dtype must be a real floating torch dtype"):
        nn.to_torch(model, dtype=torch.int64)
    with pytest.raises(TypeError, match="to_torch takes an nn.MLP, an nn.Layer or the GPT of demos.gpt; got Neuron"):
        nn.to_torch(nn.Neuron(2))


# ---- torch -> ours --------------------------------------------------------------------------------
def test_an_imported_sequential_computes_what_torch_computes():
    """from_torch of a Sequential (Identity and a float32 one included): same weights, outputs and gradients,
    as torch computes them in float64; each parameter is labelled with its torch name."""
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Identity(), torch.nn.Tanh(), torch.nn.Linear(4, 4),
                                 torch.nn.Tanh(), torch.nn.Linear(4, 2), torch.nn.Sigmoid())     # float32
    model = nn.from_torch(module)
    assert model.architecture() == {"type": "MLP", "nin": 3, "nouts": [4, 4, 2], "activation": "tanh",
                                    "output_activation": "sigmoid"}
    assert model.layers[1].neurons[3].w[1].label == "3.weight[3, 1]"
    assert model.layers[2].neurons[0].b.label == "5.bias[0]"
    assert model.layers[1].neurons[3].w[1].data == module[3].weight[3, 1].item()      # float32 -> float64 exactly
    module = module.double()
    inputs = random_inputs(5, 3, seed=1)
    outputs = [model(x) for x in inputs]
    nn.mse_loss([y for row in outputs for y in row], [0.5] * 10).backward()
    theirs = module(torch.tensor(inputs, dtype=torch.float64))
    ((theirs - 0.5) ** 2).mean().backward()
    assert all(close(y.data, t) for row, trow in zip(outputs, theirs.tolist()) for y, t in zip(row, trow))
    for parameter in model.parameters():                       # the label is the torch name, read straight off
        tensor, index = entry(module, parameter.label)
        assert close(parameter.grad, tensor.grad[index].item()), parameter.label


@pytest.mark.parametrize("layers, activation, output_activation", [
    (lambda t: [t.Linear(2, 3), t.Linear(3, 3), t.Linear(3, 1)], "linear", "linear"),
    (lambda t: [t.Linear(2, 3), t.ReLU(), t.Linear(3, 1)], "relu", "linear"),
    (lambda t: [t.Linear(2, 3), t.Sigmoid()], "sigmoid", "sigmoid"),
    (lambda t: [t.Linear(2, 3), t.ReLU(), t.Linear(3, 2), t.ReLU(), t.Linear(2, 1), t.Tanh()], "relu", "tanh"),
])
def test_the_shapes_of_sequential_that_become_an_mlp(layers, activation, output_activation):
    """Consecutive Linears and a bare last Linear are 'linear' layers; the hidden activation is shared."""
    model = nn.from_torch(torch.nn.Sequential(*layers(torch.nn)))
    assert (model.activation, model.output_activation) == (activation, output_activation)


@pytest.mark.parametrize("layers, error, message", [
    (lambda t: [t.Linear(2, 3), t.GELU()], TypeError,
     "layer 1 of the Sequential is GELU, which has no counterpart here; supported layers: Linear, ReLU, Tanh, "
     "Sigmoid, Identity"),
    (lambda t: [t.Linear(2, 3), t.Dropout(0.1), t.Linear(3, 1)], TypeError, "layer 1 of the Sequential is Dropout"),
    (lambda t: [t.Sequential(t.Linear(2, 3))], TypeError, "layer 0 of the Sequential is Sequential"),
    (lambda t: [t.Linear(2, 3, bias=False)], ValueError, r"layer 0 \(Linear\) has no bias"),
    (lambda t: [t.ReLU(), t.Linear(2, 3)], ValueError, "comes before any Linear"),
    (lambda t: [t.Linear(2, 3), t.ReLU(), t.Tanh()], ValueError, "follows another activation"),
    (lambda t: [t.Linear(2, 3), t.ReLU(), t.Linear(3, 3), t.Tanh(), t.Linear(3, 1)], ValueError,
     "one activation for all hidden layers.*relu after layer 0, tanh after layer 2"),
    (lambda t: [t.Linear(2, 3), t.ReLU(), t.Linear(3, 3), t.Linear(3, 1)], ValueError,
     "relu after layer 0, linear after layer 2"),
    (lambda t: [t.Linear(2, 3), t.Linear(4, 1)], ValueError, "takes 4 inputs, but the Linear before it gives 3"),
    (lambda t: [], ValueError, "the Sequential is empty"),
    (lambda t: [t.Identity()], ValueError, "has no Linear layer"),
])
def test_a_sequential_it_cannot_take_is_refused_by_name(layers, error, message):
    """Each unsupported shape raises an error naming the layer (and, for an unknown one, the supported list)."""
    with pytest.raises(error, match=message):
        nn.from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_other_modules_are_refused():
    """A bare Linear is told to wrap itself in a Sequential; a non-module is named."""
    with pytest.raises(TypeError, match=r"got Linear; wrap it: torch.nn.Sequential\(layer\)"):
        nn.from_torch(torch.nn.Linear(2, 3))
    with pytest.raises(TypeError, match="got Conv1d"):
        nn.from_torch(torch.nn.Conv1d(1, 1, 3))
    with pytest.raises(TypeError, match="takes a torch.nn.Module .* got list"):
        nn.from_torch([1, 2])
    with pytest.raises(ValueError, match="NaN or infinite"):
        linear = torch.nn.Linear(2, 1)
        with torch.no_grad():
            linear.weight[0, 0] = float("nan")
        nn.from_torch(torch.nn.Sequential(linear))


def test_a_large_model_gets_a_warning_and_still_works():
    """Over 5,000 parameters: a LargeModelWarning saying scalar graphs are slow, and the same outputs."""
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 100), torch.nn.ReLU(), torch.nn.Linear(100, 50)).double()
    with pytest.warns(LargeModelWarning, match="5,350 parameters.*slow"):
        model = nn.from_torch(module)
    theirs = module(torch.tensor([0.5, -0.5], dtype=torch.float64)).tolist()
    assert all(close(y.data, t) for y, t in zip(model([0.5, -0.5]), theirs))
    just_over = torch.nn.Sequential(torch.nn.Linear(2, 1250), torch.nn.ReLU(), torch.nn.Linear(1250, 1))  # 5,001
    with pytest.warns(LargeModelWarning, match="5,001 parameters"):
        nn.from_torch(just_over)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(4, 1000)))                               # 5,000: quiet


def test_round_trips_keep_every_weight():
    """from_torch(to_torch(m)) has m's architecture and weights; to_torch(from_torch(s)) has s's tensors."""
    random.seed(2)
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid")
    back = nn.from_torch(nn.to_torch(model))
    assert back.architecture() == model.architecture()
    assert back.state_dict() == model.state_dict()
    torch.manual_seed(2)
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    again = nn.to_torch(nn.from_torch(module))
    assert all(torch.equal(a, b) for a, b in zip(module.state_dict().values(), again.state_dict().values()))
    assert list(module.state_dict()) == list(again.state_dict())


def test_the_gpt_comes_back_from_its_twin():
    """from_torch(to_torch(gpt)) is a GPT with the same weights, labelled with the torch names; a twin made by
    hand needs gpt_class, and says so."""
    model, vocabulary = gpt_model(seed=3)
    twin = nn.to_torch(model)
    with torch.no_grad():
        twin.lm_head.weight[1, 2] += 0.5                     # trained a little in torch, say
    back = nn.from_torch(twin)
    assert type(back) is gpt.GPT
    assert back.lm_head.weight[1][2].data == model.lm_head.weight[1][2].data + 0.5
    assert back.layers[0].attn_wq.weight[2][9].label == "layers.0.attn_wq.weight[2, 9]"
    assert back.wte.weight[4][0].data == model.wte.weight[4][0].data
    tokens = vocabulary.encode("emma")
    assert close(back.loss(tokens).data, twin.loss(tokens).item())
    by_hand = nn.bridge.TorchGPT(vocab_size=vocabulary.size).double()
    with pytest.raises(ValueError, match="pass it: from_torch\\(twin, gpt_class=demos.gpt.GPT\\)"):
        nn.from_torch(by_hand)
    assert len(nn.from_torch(by_hand, gpt_class=gpt.GPT).parameters()) == 4192


def test_from_torch_leaves_the_random_state_alone():
    """Making our model draws random weights, then overwrites them; Python's random stream is as it was."""
    random.seed(5)
    expected = random.random()
    random.seed(5)
    nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)))
    assert random.random() == expected


def test_the_exported_models_pickle_and_deep_copy():
    """A Sequential and a GPT twin survive pickle and deepcopy with their weights (the twin's class is
    found again as nn.bridge.TorchGPT)."""
    model, _ = gpt_model(seed=1)
    twin = nn.to_torch(model)
    again = pickle.loads(pickle.dumps(twin))
    assert type(again) is type(twin) and torch.equal(again.wte.weight, twin.wte.weight)
    assert torch.equal(copy.deepcopy(twin).lm_head.weight, twin.lm_head.weight)
    random.seed(0)
    module = nn.to_torch(nn.MLP(2, [3, 1]))
    assert torch.equal(pickle.loads(pickle.dumps(module))[0].weight, module[0].weight)


# ---- the names ------------------------------------------------------------------------------------
def test_names_map_both_ways():
    """layers[0].neurons[3].w[1] is 0.weight[3, 1]; every name maps there and back, in either spelling."""
    random.seed(0)
    model = nn.MLP(2, [16, 16, 1])
    assert torch_name(model, "layers[0].neurons[3].w[1]") == "0.weight[3, 1]"
    assert torch_name(model, model.layers[0].neurons[3].w[1]) == "0.weight[3, 1]"
    assert our_name(model, "0.weight[3, 1]") == our_name(model, "0.weight[3,1]") == "layers[0].neurons[3].w[1]"
    assert torch_name(model, model.layers[2].neurons[0].b) == "4.bias[0]"
    names = name_map(model)
    assert len(names) == len(set(names.values())) == 337
    small = nn.MLP(3, [4, 2, 1], activation="tanh", output_activation="linear")
    for ours, theirs in name_map(small).items():
        assert our_name(small, theirs) == ours and torch_name(small, ours) == theirs
    module = nn.to_torch(model)
    tensors = {name: tensor.numel() for name, tensor in module.named_parameters()}
    assert {theirs.split("[")[0] for theirs in names.values()} == set(tensors)
    with pytest.raises(KeyError, match="no parameter whose torch name is '9.weight"):
        our_name(model, "9.weight[0, 0]")
    with pytest.raises(KeyError, match="no parameter named"):
        torch_name(model, "layers[5].neurons[0].b")


def test_names_follow_the_layout_of_a_given_sequential():
    """With Identity layers in the Sequential, the names follow its indices, as the labels from_torch sets do."""
    module = torch.nn.Sequential(torch.nn.Identity(), torch.nn.Linear(2, 3), torch.nn.Identity(), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 1))
    model = nn.from_torch(module)
    assert name_map(model, module) == {name: value.label for name, value in
                                       zip(name_map(model), model.parameters())}
    assert torch_name(model, model.layers[1].neurons[0].w[2], module) == "4.weight[0, 2]"
    assert torch_name(model, model.layers[1].neurons[0].w[2]) == "2.weight[0, 2]"   # where to_torch puts it


def test_names_follow_a_sequential_with_named_children():
    """Sequential(OrderedDict(fc1=..., act=..., out=...)): the names are the children's names, both ways."""
    from collections import OrderedDict
    module = torch.nn.Sequential(OrderedDict(fc1=torch.nn.Linear(2, 3), act=torch.nn.Tanh(), out=torch.nn.Linear(3, 1)))
    model = nn.from_torch(module)
    assert model.layers[0].neurons[1].w[0].label == "fc1.weight[1, 0]"
    assert torch_name(model, model.layers[0].neurons[1].w[0], module) == "fc1.weight[1, 0]"
    assert our_name(model, "out.bias[0]", module) == "layers[1].neurons[0].b"
    assert name_map(model, module) == {name: value.label for name, value in zip(name_map(model), model.parameters())}


def test_gpt_names():
    """A GPT weight's torch name is its table's name and [row, column]."""
    model, _ = gpt_model(seed=0)
    assert torch_name(model, model.layers[0].mlp_fc1.weight[40][0]) == "layers.0.mlp_fc1.weight[40, 0]"
    assert our_name(model, "wpe.weight[1, 7]") == "wpe.weight[1][7]"


# ---- the views on an imported model ------------------------------------------------------------------
def test_the_views_show_the_torch_names_and_torch_gradients(tmp_path):
    """On an imported model, explain, print_tree, draw_dot and the step-through page name each parameter
    by its torch name, and explain's gradient is torch's."""
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)).double()
    model = nn.from_torch(module)
    loss = nn.mse_loss(model([0.5, -0.25]), 1.0)
    torch.nn.functional.mse_loss(module(torch.tensor([0.5, -0.25], dtype=torch.float64)),
                                 torch.tensor([1.0], dtype=torch.float64)).backward()
    weight = model.layers[0].neurons[1].w[0]
    explanation = explain(loss, weight, params=model)
    assert close(explanation.gradient, module[0].weight.grad[1, 0].item())
    assert "∂" in str(explanation) and "0.weight[1, 0]" in str(explanation)
    assert "2.bias[0]" in format_tree(loss, params=model)
    loss.backward()
    assert "0.weight[1, 0]" in draw_dot(loss, params=model).svg
    page = Path(animate_backward(loss, str(tmp_path / "steps.html"), params=model)).read_text(encoding="utf-8")
    assert "0.weight[1, 0]" in page and "2.bias[0]" in page


# ---- torch stays optional ------------------------------------------------------------------------------
def run_python(code):
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_importing_the_packages_does_not_import_torch():
    """import autograd, nn (and nn.bridge) leaves torch unloaded."""
    result = run_python("import sys, autograd, nn, nn.bridge; print('torch' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_without_torch_the_bridge_says_which_extra_to_install():
    """With torch unimportable, to_torch and from_torch raise an ImportError naming the `torch` extra."""
    code = ("import sys; sys.modules['torch'] = None\n"
            "import random, nn\n"
            "for call in (lambda: nn.to_torch(nn.MLP(2, [1])), lambda: nn.from_torch(None)):\n"
            "    try:\n"
            "        call()\n"
            "    except ImportError as error:\n"
            "        print(error)\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("to_torch needs PyTorch") and lines[1].startswith("from_torch")
    assert all("install the `torch` extra: pip install 'backprop-lab[torch]'" in line for line in lines)


def test_practice_check_marks_answers_named_by_torch_names():
    """practice.check on an imported model: torch's own gradients, keyed by torch names, are marked right; a
    flipped sign is caught at that parameter."""
    practice = pytest.importorskip("autograd.practice")
    torch.manual_seed(4)
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)).double()
    model = nn.from_torch(module)
    loss = (model([0.5, -0.25]) - 1.0) ** 2
    ((module(torch.tensor([0.5, -0.25], dtype=torch.float64)) - 1.0) ** 2).sum().backward()
    answers = {"0.weight[1, 0]": module[0].weight.grad[1, 0].item(), "2.bias[0]": module[2].bias.grad[0].item()}
    assert practice.check(loss, answers).ok
    answers["0.weight[1, 0]"] = -answers["0.weight[1, 0]"]
    report = practice.check(loss, answers)
    assert report.first_mistake == "0.weight[1, 0]" and report.mistake == "sign"


def test_a_gpt_with_a_parameter_the_twin_lacks_is_refused():
    """A GPT-shaped model with an extra parameter is not exported with it silently left behind."""
    model, _ = gpt_model(seed=2)
    model.extra = nn.Linear(2, 2, bias=False)
    with pytest.raises(ValueError, match="the twin would leave some behind"):
        nn.to_torch(model)
