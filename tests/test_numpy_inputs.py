"""Any real number goes where nn takes a number: numpy scalars and arrays of every real dtype, 0-d arrays,
numbers.Real; bool, complex, str, None and multi-element arrays raise a TypeError naming the type."""
import fractions
import numbers
import random
import subprocess
import sys

import numpy as np
import pytest

from autograd import Value
from nn import MLP, SGD, Adam, Layer, Neuron, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

FLOAT_DTYPES = [np.float16, np.float32, np.float64, np.longdouble]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
REAL_DTYPES = FLOAT_DTYPES + INT_DTYPES


class Meters:
    """A user's own number type, registered as numbers.Real (nn only needs float() of it)."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return f"Meters({self.value})"


numbers.Real.register(Meters)


def dtype_id(dtype):
    return np.dtype(dtype).name


def make_model(seed=0):
    random.seed(seed)
    return MLP(3, [4, 2], activation="tanh")


def outputs(model, x):
    return [y.data for y in model(x)]


# ---- model inputs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=dtype_id)
def test_mlp_takes_a_1d_array_of_any_real_dtype(dtype):
    """An MLP called on a 1-d array of any real dtype gives the outputs of the same numbers as floats."""
    model = make_model()
    array = np.array([1, 2, 3], dtype=dtype)
    assert outputs(model, array) == outputs(model, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=dtype_id)
def test_numpy_scalars_and_0d_arrays_in_a_list_are_inputs(dtype):
    """A list or tuple of numpy scalars or 0-d arrays works like a list of floats, for MLP, Layer and Neuron."""
    model = make_model()
    expected = outputs(model, [1.0, 2.0, 3.0])
    assert outputs(model, [dtype(1), dtype(2), dtype(3)]) == expected
    assert outputs(model, (np.array(1, dtype=dtype), np.array(2, dtype=dtype), 3)) == expected
    layer, neuron = model.layers[0], model.layers[0].neurons[0]
    assert [y.data for y in layer(np.array([1, 2, 3], dtype=dtype))] == [y.data for y in layer([1.0, 2.0, 3.0])]
    assert neuron(np.array([1, 2, 3], dtype=dtype)).data == neuron([1.0, 2.0, 3.0]).data


def test_numbers_real_of_any_kind_are_inputs():
    """Fractions and a user's registered numbers.Real work as inputs; the leaves hold plain floats."""
    model = make_model()
    expected = outputs(model, [0.5, 2.0, -3.0])
    assert outputs(model, [fractions.Fraction(1, 2), Meters(2), np.float32(-3)]) == expected
    pre_activation = model.layers[0]([np.float32(0.5), 2, 3])[0].parents[0]
    inputs = pre_activation.parents[3:6]                               # (w0, w1, w2, x0, x1, x2, b)
    assert [type(x.data) for x in inputs] == [float, float, float]


def test_training_on_float32_data_matches_float64_data():
    """A few SGD steps on a float32 array give the same weights as the same numbers as Python floats."""
    points = np.array([[0.5, -1.0, 0.25], [2.0, 0.75, -0.5]], dtype=np.float32)
    targets = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    results = []
    for as_python in (False, True):
        model = make_model(seed=3)
        optimizer = SGD(model.parameters(), lr=np.float32(0.25))
        for _ in range(3):
            rows = [(point.tolist(), target.tolist()) if as_python else (point, target)
                    for point, target in zip(points, targets)]
            loss = sum(mse_loss(model(point), target) for point, target in rows) / len(rows)
            model.zero_grad()
            loss.backward()
            optimizer.step()
        results.append(model.state_dict())
    assert results[0] == results[1]


NOT_REAL = [
    (True, "bool"),
    (np.bool_(False), np.bool_.__name__),
    (1 + 2j, "complex"),
    (np.complex128(1.0), "complex128"),
    ("2.0", "str"),
    (None, "NoneType"),
    (np.array([1.0, 2.0]), "ndarray"),
    (np.array([2.0]), "ndarray"),
    (np.array(True), "ndarray"),
    (np.array(1 + 1j), "ndarray"),
]


@pytest.mark.parametrize("bad, type_name", NOT_REAL, ids=[name for _, name in NOT_REAL])
def test_an_input_that_is_not_a_real_number_is_a_type_error_naming_it(bad, type_name):
    """bool, complex, str, None and arrays other than 0-d real ones raise TypeError naming the type."""
    for module in (make_model(), Layer(3, 2), Neuron(3)):
        with pytest.raises(TypeError, match=type_name):
            module([1.0, bad, 3.0])


def test_a_2d_array_input_is_a_type_error():
    """A 2-d array (a batch, say) is not one input: TypeError naming the array type and its shape."""
    with pytest.raises(TypeError, match=r"ndarray.*\(3, 3\)"):
        make_model()(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="ndarray"):
        Layer(1, 2)(np.zeros((1, 1)))


def test_layer_sizes_may_be_numpy_ints():
    """Sizes given as numpy ints (from an array's shape arithmetic, say) build the same model."""
    random.seed(0)
    model = MLP(np.int64(3), [np.int32(4), np.uint8(2)])
    random.seed(0)
    assert model.state_dict() == MLP(3, [4, 2]).state_dict()
    assert model.architecture() == MLP(3, [4, 2]).architecture()
    assert type(model.architecture()["nin"]) is int
    with pytest.raises(TypeError, match="float"):
        MLP(np.float64(3.0), [1])


# ---- loss targets -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=dtype_id)
def test_mse_takes_targets_as_an_array_of_any_real_dtype(dtype):
    """mse_loss with an array (or a list of numpy scalars) of targets equals the same with floats."""
    predictions = [Value(0.5), Value(3.0), Value(-1.0)]
    expected = mse_loss(predictions, [1.0, 2.0, 0.0]).data
    assert mse_loss(predictions, np.array([1, 2, 0], dtype=dtype)).data == expected
    assert mse_loss(predictions, [dtype(1), np.array(2, dtype=dtype), 0]).data == expected
    assert mse_loss(np.array([0.5, 3.0, -1.0], dtype=np.float64), (1, 2, 0)).data == expected


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float32, np.float64], ids=dtype_id)
def test_hinge_and_bce_take_label_arrays(dtype):
    """hinge_loss takes ±1 labels and binary_cross_entropy takes targets as arrays of int or float dtype."""
    scores = [Value(2.5), Value(0.3), Value(-0.4)]
    assert hinge_loss(scores, np.array([1, -1, 1], dtype=dtype)).data == hinge_loss(scores, [1, -1, 1]).data
    assert (binary_cross_entropy(scores, np.array([1, 0, 1], dtype=dtype)).data
            == binary_cross_entropy(scores, [1.0, 0.0, 1.0]).data)
    assert binary_cross_entropy([Value(0.3)], np.array(1, dtype=dtype)).data == binary_cross_entropy(
        [Value(0.3)], [1.0]).data


def test_numpy_targets_get_the_same_gradients():
    """The gradient through a loss with numpy targets equals the one with float targets."""
    grads = []
    for targets in ([0.25, -1.0], np.array([0.25, -1.0], dtype=np.float32)):
        x = [Value(1.0), Value(2.0)]
        mse_loss(x, targets).backward()
        grads.append([v.grad for v in x])
    assert grads[0] == grads[1]


@pytest.mark.parametrize("index", [np.int64(2), np.int8(2), np.uint32(2), np.array(2), np.array(2, np.int16)],
                         ids=lambda i: f"{type(i).__name__}-{i.dtype}")
def test_cross_entropy_takes_a_numpy_integer_class_index(index):
    """A numpy integer scalar or 0-d integer array is a class index, one sample or a batch of them."""
    logits = [Value(0.5), Value(-1.0), Value(2.0)]
    assert cross_entropy(logits, index).data == cross_entropy(logits, 2).data
    batch = [logits, [Value(1.0), Value(0.0), Value(3.0)]]
    assert cross_entropy(batch, [index, 0]).data == cross_entropy(batch, [2, 0]).data
    assert cross_entropy(batch, np.array([2, 0], dtype=np.asarray(index).dtype)).data == cross_entropy(
        batch, [2, 0]).data


@pytest.mark.parametrize("bad, type_name", [(np.float64(1.0), "float64"), (np.array(1.0), "ndarray"),
                                            (np.bool_(True), np.bool_.__name__), (np.array([1]), "ndarray"),
                                            (1.0, "float"), ("1", "str"), (None, "NoneType")])
def test_a_class_index_that_is_not_an_integer_is_a_type_error(bad, type_name):
    """A class index must be integral: a float, bool, str, None or 1-element array raises TypeError naming it."""
    with pytest.raises(TypeError, match=type_name):
        cross_entropy([Value(0.5), Value(-1.0)], bad)


@pytest.mark.parametrize("bad, type_name", NOT_REAL, ids=[name for _, name in NOT_REAL])
@pytest.mark.parametrize("loss", [mse_loss, hinge_loss, binary_cross_entropy], ids=lambda f: f.__name__)
def test_a_target_that_is_not_a_real_number_is_a_type_error_naming_it(loss, bad, type_name):
    """bool, complex, str, None and multi-element arrays as targets raise TypeError naming the type."""
    with pytest.raises(TypeError, match=type_name):
        loss([Value(1.0), Value(-1.0)], [1, bad])


@pytest.mark.parametrize("loss", [mse_loss, hinge_loss, binary_cross_entropy], ids=lambda f: f.__name__)
def test_a_2d_target_array_is_a_type_error(loss):
    """A 2-d array of targets is refused with TypeError naming its shape, not read as one target."""
    with pytest.raises(TypeError, match=r"\(2, 1\)"):
        loss([Value(1.0), Value(0.0)], np.array([[1], [0]]))


def test_target_array_length_mismatch_counts_the_array():
    """An array of 3 targets for 2 predictions says '2 predictions but 3 targets' (not '1 target')."""
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        mse_loss([Value(1.0), Value(2.0)], np.array([1.0, 2.0, 3.0]))


# ---- hyper-parameters -------------------------------------------------------------------------------------
def test_optimizer_hyperparameters_may_be_numpy_numbers():
    """lr, momentum, betas, eps and weight_decay may be numpy scalars; they are stored as floats."""
    w = Value(1.0)
    adam = Adam([w], lr=np.float32(0.5), betas=np.array([0.5, 0.75]), eps=np.float64(1e-8),
                weight_decay=np.int64(0))
    assert adam.lr == 0.5 and adam.betas == (0.5, 0.75) and type(adam.lr) is float
    sgd = SGD([w], lr=np.float16(0.5), momentum=np.float32(0.5))
    assert (sgd.lr, sgd.momentum) == (0.5, 0.5)
    with pytest.raises(TypeError, match="bool"):
        SGD([w], lr=np.bool_(True))


def test_state_dict_values_may_be_numpy_numbers():
    """load_state_dict takes numpy scalars and 0-d arrays as values, and stores plain floats."""
    model = make_model()
    state = {name: np.float32(0.5) if i % 2 else np.array(1.0) for i, name in enumerate(model.state_dict())}
    model.load_state_dict(state)
    assert all(type(p.data) is float for p in model.parameters())
    assert sorted(set(model.state_dict().values())) == [0.5, 1.0]
    with pytest.raises(TypeError, match="complex"):
        model.load_state_dict({**state, next(iter(state)): np.complex64(1)})


# ---- numpy stays optional -------------------------------------------------------------------------------
def test_nn_and_autograd_do_not_import_numpy():
    """Importing and using autograd and nn (training, losses, save) never imports numpy."""
    script = ("import sys, random, tempfile, os\n"
              "import autograd, nn\n"
              "random.seed(0); model = nn.MLP(2, [3, 2])\n"
              "loss = nn.mse_loss(model([1.0, 2]), [0.5, 1]) + nn.cross_entropy(model((1, 2)), 1)\n"
              "loss = loss + nn.hinge_loss(model([0, 1]), (1, -1)) + nn.binary_cross_entropy(model([1, 1]), [1, 0])\n"
              "loss.backward(); nn.Adam(model.parameters()).step()\n"
              "folder = tempfile.mkdtemp(); nn.load(model, nn.save(model, os.path.join(folder, 'm.json')))\n"
              "autograd.gradcheck(lambda x: x.tanh(), [0.5])\n"
              "print('numpy' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
