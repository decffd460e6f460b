"""Pickling and copying: models, optimizers and Value graphs round-trip exactly; op functions go by reference and show their source."""
import copy
import inspect
import pickle
import random
import subprocess
import sys

import pytest

import nn
from autograd import OPS, Value
from autograd.core import engine

PROTOCOLS = range(2, pickle.HIGHEST_PROTOCOL + 1)
POINTS = [[0.5, -1.25], [3.0, 2.0], [-0.1, 0.7], [1.5, 0.25]]
TARGETS = [1.0, -1.0, 1.0, -1.0]

# Every function the op table binds on Value: the operators, their reflected forms, and the methods.
OP_METHODS = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
              "__pow__", "__rpow__", "__neg__", "__abs__", "relu", "tanh", "sigmoid", "exp", "log", "sqrt", "sin",
              "cos"]


def make(kind, activation="tanh"):
    random.seed(3)
    if kind == "mlp":
        return nn.MLP(2, [4, 4, 1], activation=activation)
    if kind == "layer":
        return nn.Layer(2, 3, activation=activation)
    return nn.Neuron(2, activation=activation)


def outputs(model):
    out = []
    for point in POINTS:
        y = model(point)
        out.extend(v.data for v in (y if isinstance(y, list) else [y]))
    return out


def train(model, optimizer, steps=3):
    """A few steps of mean squared error; returns the losses (floats)."""
    losses = []
    for _ in range(steps):
        predictions = [model(p) for p in POINTS]
        predictions = [y[0] if isinstance(y, list) else y for y in predictions]
        loss = nn.mse_loss(predictions, TARGETS)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("kind", ["mlp", "layer", "neuron"])
def test_models_pickle_with_bit_identical_outputs(kind, activation, protocol):
    """Every model kind and activation pickles at every protocol from 2 up and computes exactly the same outputs."""
    model = make(kind, activation)
    copied = pickle.loads(pickle.dumps(model, protocol=protocol))
    assert copied is not model
    assert outputs(copied) == outputs(model)
    assert [p.data for p in copied.parameters()] == [p.data for p in model.parameters()]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_model_and_optimizer_pickled_together_resume_identically(optimizer, protocol):
    """A model pickled together with its optimizer (mid-training) resumes exactly as the original goes on."""
    model = make("mlp", "relu")
    opt = nn.Adam(model.parameters(), lr=0.01) if optimizer == "adam" else nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    train(model, opt, steps=2)
    model_copy, opt_copy = pickle.loads(pickle.dumps((model, opt), protocol=protocol))
    assert train(model_copy, opt_copy) == train(model, opt)
    assert [p.data for p in model_copy.parameters()] == [p.data for p in model.parameters()]


def test_deepcopy_of_model_and_optimizer_trains_identically():
    """copy.deepcopy of (model, Adam) is independent of the original and trains the same way."""
    model = make("mlp", "tanh")
    opt = nn.Adam(model.parameters(), lr=0.01)
    model_copy, opt_copy = copy.deepcopy((model, opt))
    assert train(model_copy, opt_copy) == train(model, opt)
    assert all(a is not b for a, b in zip(model_copy.parameters(), model.parameters()))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_value_graph_pickles_with_its_gradients(protocol):
    """A graph with every kind of op comes back with the same data, grads and structure, and backward() agrees."""
    x, w = Value(0.7, label="x"), Value(-1.3, label="w")
    y = ((x * w).tanh() + (x ** 2).sigmoid() - abs(w) / 3 + (x.exp() + 1).log()).relu() * 2
    y.backward()
    z = pickle.loads(pickle.dumps(y, protocol=protocol))
    assert z.data == y.data
    before = {v.label: v.grad for v in engine.walk(y, leaves=True) if v.label}
    after = {v.label: v.grad for v in engine.walk(z, leaves=True) if v.label}
    assert after == before
    z.backward()                                               # leaves accumulate on both, in the same order
    y.backward()
    assert ({v.label: v.grad for v in engine.walk(z, leaves=True) if v.label}
            == {v.label: v.grad for v in engine.walk(y, leaves=True) if v.label})


@pytest.mark.parametrize("name", OP_METHODS)
def test_op_functions_pickle_by_reference(name):
    """Value.tanh, Value.__mul__ and every other op function unpickle as the very same function."""
    function = getattr(Value, name)
    assert function.__module__ == "autograd.core.engine"
    assert function.__qualname__ == f"Value.{name}"
    for protocol in PROTOCOLS:
        assert pickle.loads(pickle.dumps(function, protocol=protocol)) is function


@pytest.mark.parametrize("name", OP_METHODS)
def test_op_functions_show_their_source(name):
    """inspect.getsource works for every op function, and its file name says which row made it."""
    function = getattr(Value, name)
    source = inspect.getsource(function)
    assert source.startswith(f"def {name}(")
    row_name = function.__code__.co_filename
    assert "op row" in row_name and "autograd/core/engine.py" in row_name
    assert OPS[row_name.split("'")[1]].forward in source        # the row's own forward expression


@pytest.mark.parametrize("name", [n for n, row in OPS.items() if hasattr(row, "on_floats") and type(row) is engine.Op])
def test_a_rows_float_and_value_functions_pickle_and_show_source(name):
    """A row's float function and its Values function (create_graph) pickle by reference and have source."""
    row = OPS[name]
    for function in (row.on_floats, row.on_values):
        assert pickle.loads(pickle.dumps(function)) is function
        assert row.forward in inspect.getsource(function) or row.derivatives[0] in inspect.getsource(function)


PICKLE_IT = """
import pickle, random, sys, nn
random.seed(5)
model = nn.MLP(2, [8, 8, 1], activation=sys.argv[1])
opt = nn.Adam(model.parameters(), lr=0.01)
sys.stdout.buffer.write(pickle.dumps((model, opt, [model([0.3, -0.2]).data])))
"""
UNPICKLE_IT = """
import pickle, sys
model, opt, expected = pickle.loads(sys.stdin.buffer.read())
assert [model([0.3, -0.2]).data] == expected, "outputs differ"
print(type(model).__name__, type(opt).__name__, len(model.parameters()))
"""


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_pickles_load_in_a_fresh_process(activation):
    """A model and its Adam pickled in one process unpickle in another that imports the package fresh."""
    made = subprocess.run([sys.executable, "-c", PICKLE_IT, activation], capture_output=True, check=True)
    loaded = subprocess.run([sys.executable, "-c", UNPICKLE_IT], input=made.stdout, capture_output=True)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert loaded.stdout.decode().split() == ["MLP", "Adam", "105"]
