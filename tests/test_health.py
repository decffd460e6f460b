"""Training health: nn.health's numbers against PyTorch float64, why() against explain and torch, the Recorder
in the demos' loop and the GPT's, the layer watch, the pictures, and the recorder benchmark's agreement."""
import copy
import gc
import math
import io
import pickle
import random
import re
import statistics
import string
import threading

import pytest

import nn
from autograd import Value, no_grad, shown, tape
from benchmarks import recorder as recorder_bench
from benchmarks.data import initial_weights, moons
from demos import _common, gpt
from demos.datasets import make_spiral
from nn.watch import Watch

torch = pytest.importorskip("torch")

TOLERANCE = 1e-9
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Mixed(nn.Module):
    """Four Layers with four activations, so one model has saturation, dead units and a linear output."""

    def __init__(self):
        self.layers = [nn.Layer(2, 6, "tanh"), nn.Layer(6, 5, "relu"), nn.Layer(5, 4, "sigmoid"),
                       nn.Layer(4, 3, "linear")]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def mixed_model(seed=0):
    """A Mixed model whose tanh layer saturates often and whose relu layer has dead units."""
    random.seed(seed)
    model = Mixed()
    for neuron in model.layers[0].neurons:
        for w in neuron.w:
            w.data *= 6.0
    for index, neuron in enumerate(model.layers[1].neurons):
        neuron.b.data = -4.0 if index % 2 == 0 else 0.3                # units 0, 2, 4 never switch on
    for neuron in model.layers[2].neurons:
        for w in neuron.w:
            w.data *= 8.0
    return model


def batch(n=24, seed=1):
    rng = random.Random(seed)
    return [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(n)], [k % 3 for k in range(n)]


def close(a, b, tolerance=TOLERANCE):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


# A number with a decimal point or an exponent, standing alone (not part of a name like x1.5 or layers[0]).
WRITTEN_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[+-]\d+)?(?![\d.])|(?<![\w.])-?\d+e[+-]\d+(?![\d.])")


def assert_numbers_shown(text):
    """Every number in `text` that has a decimal point or an exponent is written as autograd.shown writes it."""
    own = [token for token in WRITTEN_NUMBER.findall(text) if shown(float(token)) != token]
    assert not own, f"numbers not written by shown(): {own}"


def bracket_depth(text):
    """How deep round brackets nest in `text`, not counting a function's or a node's own, as in relu(z) or δ(h)."""
    depth = deepest = 0
    for index, character in enumerate(text):
        if character == "(" and not (index and text[index - 1].isalnum()):
            depth += 1
            deepest = max(deepest, depth)
        elif character == ")" and depth and not _closes_a_call(text, index):
            depth -= 1
    return deepest


def _closes_a_call(text, index):
    """Whether the ')' at `index` closes a bracket opened right after a letter (a call such as relu(z))."""
    depth = 0
    for position in range(index - 1, -1, -1):
        if text[position] == ")":
            depth += 1
        elif text[position] == "(":
            if depth == 0:
                return position > 0 and text[position - 1].isalnum()
            depth -= 1
    return False


def torch_forward(model, points):
    """The same model in torch float64 on the same weights: (pre-activations, activations, weight tensors, logits)."""
    x = torch.tensor(points, dtype=torch.float64)
    functions = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}
    zs, hs, weights = [], [], []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        z = x @ W.T + b
        x = functions[layer.activation](z)
        z.retain_grad()
        x.retain_grad()
        zs.append(z)
        hs.append(x)
        weights.append(W)
    return zs, hs, weights, x


# ---- nn.health against torch float64 ----------------------------------------------------------------
def test_every_number_agrees_with_torch_float64():
    """Each layer's mean, std, saturated, dead, near-zero, gradient stats and grad:data, the loss and chance,
    recomputed by torch float64 on the same weights and batch."""
    model = mixed_model()
    points, labels = batch()
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    _, hs, weights, logits = torch_forward(model, points)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    assert close(report.loss, loss.item())
    assert report.chance_loss == pytest.approx(math.log(3), rel=1e-15)
    assert [layer.name for layer in report.layers] == ["layers[0]", "layers[1]", "layers[2]", "layers[3]"]
    for layer, h, W in zip(report.layers, hs, weights):
        assert (layer.samples, layer.units) == tuple(h.shape)
        assert close(layer.mean, h.mean().item()) and close(layer.std, h.std(correction=0).item())
        assert layer.near_zero == (h.abs() < 0.03).double().mean().item()
        if layer.activation == "tanh":
            assert layer.saturated == (h.abs() > 0.97).double().mean().item()
        elif layer.activation == "sigmoid":
            assert layer.saturated == ((h < 0.03) | (h > 0.97)).double().mean().item()
        else:
            assert layer.saturated is None
        expected_dead = [u for u in range(h.shape[1]) if not (h[:, u] > 0).any()] if layer.activation == "relu" else []
        assert layer.dead == expected_dead
        assert close(layer.grad_mean, h.grad.mean().item()) and close(layer.grad_std, h.grad.std(correction=0).item())
        assert close(layer.grad_to_data, (W.grad.std(correction=0) / W.std(correction=0)).item())
    tanh, relu, sigmoid, _ = report.layers
    assert 0.2 < tanh.saturated < 1.0 and relu.dead == [0, 2, 4] and sigmoid.saturated > 0.2   # all cases occur


def test_health_changes_nothing_in_the_model():
    """Weights and every parameter's .grad are as they were, and no layer keeps a hook."""
    model = mixed_model()
    for index, p in enumerate(model.parameters()):
        p.grad = 0.25 * index
    before = [(p.data, p.grad) for p in model.parameters()]
    nn.health(model, *batch(), loss=nn.cross_entropy)
    assert [(p.data, p.grad) for p in model.parameters()] == before
    assert all(type(layer) is nn.Layer and "_forward_hooks" not in vars(layer) for layer in model.layers)


def test_chance_values_of_the_other_losses():
    """mse: the targets' variance; hinge: 1; binary cross-entropy: ln 2; an unknown loss: None, said why."""
    random.seed(0)
    model = nn.MLP(2, [4, 1], activation="tanh")
    points, _ = batch(8)
    targets = [0.5, 1.5, -1.0, 2.0, 0.0, 1.0, 3.0, -2.0]
    mean = sum(targets) / len(targets)
    report = nn.health(model, points, targets, loss=nn.mse_loss)
    assert report.chance_loss == pytest.approx(sum((t - mean) ** 2 for t in targets) / len(targets))
    signs = [1, -1] * 4
    assert nn.health(model, points, signs, loss=nn.hinge_loss).chance_loss == 1.0
    assert nn.health(model, points, [0, 1] * 4, loss=nn.binary_cross_entropy).chance_loss == math.log(2.0)
    custom = nn.health(model, points, signs, loss=lambda outputs, labels: nn.hinge_loss(outputs, labels) * 2.0)
    assert custom.chance_loss is None and "no chance value" in custom.chance_rule


def test_without_a_loss_there_are_no_gradients():
    """No loss: activations only; the gradient fields are None and why() explains it needs a loss."""
    model = mixed_model()
    report = nn.health(model, batch()[0])
    assert report.loss is None and all(layer.grad_std is None for layer in report.layers)
    with pytest.raises(ValueError, match="loss"):
        report.why(0, 0)


def test_findings_say_what_and_why():
    """Saturation, dead units and a loss far above chance each get a finding with the chain-rule step."""
    model = mixed_model()
    report = nn.health(model, *batch(), loss=nn.cross_entropy)
    text = "\n".join(report.findings)
    assert "layers[0] (tanh)" in text and "1 − h²" in text and "δ(z) = δ(h) × (1 − h²)" in text
    assert "Dead relu units, never positive on this batch: layers[1] 3 of 5 (units 0, 2, 4)" in text
    assert "[z > 0] is 0" in text and "report.why('layers[1]', 0)" in text
    assert "layers[2] (sigmoid)" in text and "h(1 − h)" in text
    for neuron in model.layers[3].neurons:                              # a large last layer: sure and wrong
        for w in neuron.w:
            w.data *= 30.0
    loud = nn.health(model, *batch(), loss=nn.cross_entropy)
    assert loud.loss > 2 * loud.chance_loss and "confidently wrong" in loud.findings[0]
    random.seed(3)
    calm = nn.MLP(2, [8, 3], activation="tanh")
    calm_report = nn.health(calm, *batch(), loss=nn.cross_entropy)
    assert calm_report.findings[-1].startswith("No problem found in the layers")
    for neuron in calm.layers[1].neurons:                               # a small last layer starts at chance
        for w in neuron.w:
            w.data *= 0.1
    assert "close to chance" in nn.health(calm, *batch(), loss=nn.cross_entropy).findings[0]


def test_table_and_html():
    """str() is a table with a row per layer, the loss line and the findings; _repr_html_ the same as HTML."""
    report = nn.health(mixed_model(), *batch(), loss=nn.cross_entropy)
    text = str(report)
    rows = [line for line in text.splitlines() if line.strip().startswith("layers[")]
    assert len(rows) == 4 and "3/5" in rows[1] and "grad:data" in text and "chance 1.099 = ln 3" in text
    page = report._repr_html_()
    assert page.count("<tr>") == 5 and "<li>" in page and "ln 3" in page


@pytest.mark.parametrize("call, error", [
    (lambda m: nn.health("model", [[0.0, 0.0]]), TypeError),
    (lambda m: nn.health(m, []), ValueError),
    (lambda m: nn.health(m, [[0.0, 0.0]], [0, 1], loss=nn.cross_entropy), ValueError),
    (lambda m: nn.health(m, [[0.0, 0.0]], [0], loss="cross_entropy"), TypeError),
    (lambda m: nn.health(m, [[0.0, 0.0]], [0], loss=lambda o, t: 1.0), TypeError),
    (lambda m: nn.health(m, [[0.0, 0.0]], tanh_threshold=1.5), ValueError),
])
def test_bad_input_is_refused_clearly(call, error):
    """A non-model, no inputs, targets of the wrong length, a loss that is no function or returns no Value,
    a threshold out of range: each a clear error, and the model is left as it was."""
    model = mixed_model()
    before = [p.data for p in model.parameters()]
    with pytest.raises(error):
        call(model)
    assert [p.data for p in model.parameters()] == before
    assert [type(layer) for layer in model.layers] == [nn.Layer] * 4


def test_health_under_no_grad_says_why_it_cannot_look():
    """Under no_grad no layer output has a graph: a clear RuntimeError, not an empty report."""
    with no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        nn.health(mixed_model(), batch()[0])


# ---- why() --------------------------------------------------------------------------------------------
def test_why_a_saturated_tanh_unit_passes_little_back():
    """why() on a saturated unit: explain()'s line δ(z) = δ(h) × ∂h/∂z, ∂h/∂z = 1 − h², and the numbers
    equal torch's gradients of that one sample's loss."""
    model = mixed_model()
    points, labels = batch()
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    answer = report.why("layers[0]", 1)
    derivatives = [1 - row[1] ** 2 for row in report.layers[0].activations]
    assert answer.sample == derivatives.index(min(derivatives))            # the flattest sample by default
    assert answer.local_derivative == pytest.approx(min(derivatives), rel=1e-12)
    text = str(answer)
    assert "δ(z) = δ(h) × ∂h/∂z = " in text and "(h = tanh(z); ∂h/∂z = 1 - h²)" in text
    assert "∂h/∂z = 1 − h² = " in text and "flat" in text
    zs, hs, _, logits = torch_forward(model, [points[answer.sample]])
    torch.nn.functional.cross_entropy(logits, torch.tensor([labels[answer.sample]])).backward()
    assert close(answer.z, zs[0][0, 1].item()) and close(answer.h, hs[0][0, 1].item())
    assert close(answer.delta_h, hs[0].grad[0, 1].item()) and close(answer.delta_z, zs[0].grad[0, 1].item())
    assert answer.delta_z == pytest.approx(answer.delta_h * answer.local_derivative, rel=1e-12)


def test_why_the_line_is_explains_own():
    """The δ(z) line of why() is, word for word, the line explain() writes for the same graph."""
    model = mixed_model()
    points, labels = batch()
    answer = nn.health(model, points, labels, loss=nn.cross_entropy).why(2, 0)
    line = next(line for line in answer.lines if line.strip().startswith("δ(z) ="))
    equation = line.strip().split("   ")[0]
    assert equation in str(answer.explanation) and answer.explanation.gradient == answer.delta_z


def test_why_a_dead_relu_unit_passes_nothing_back():
    """A dead relu: [z > 0] = 0 because z ≤ 0, δ(z) = 0 exactly, and the unit is called dead."""
    report = nn.health(mixed_model(), *batch(), loss=nn.cross_entropy)
    answer = report.why("layers[1]", 2)
    assert answer.z <= 0.0 and answer.local_derivative == 0.0 and answer.delta_z == 0.0
    assert "∂h/∂z = [z > 0] = 0 because z = " in str(answer) and "dead" in str(answer)
    assert "(h = relu(z); ∂h/∂z = [z > 0])" in str(answer)
    assert answer._repr_html_().startswith("<pre")


def test_why_refuses_what_it_cannot_answer():
    """A linear layer, a unit out of range, a sample out of range, and weights changed since the report."""
    model = mixed_model()
    report = nn.health(model, *batch(), loss=nn.cross_entropy)
    with pytest.raises(ValueError, match="linear"):
        report.why(3, 0)
    with pytest.raises(ValueError, match="unit"):
        report.why(0, 6)
    with pytest.raises(ValueError, match="sample"):
        report.why(0, 0, sample=24)
    with pytest.raises(KeyError):
        report.why("layers[9]", 0)
    model.layers[0].neurons[0].w[0].data += 1.0
    with pytest.raises(RuntimeError, match="changed"):
        report.why(0, 0)


def test_reports_and_recorders_pickle_and_copy_their_numbers():
    """A pickled or deep-copied report or recorder keeps every number; the copy neither replays why() nor
    records, and says so; the original goes on working."""
    model = mixed_model()
    points, labels = batch(8)
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    recorder = nn.Recorder(model, optimizer)
    loss = nn.cross_entropy([model(p) for p in points], labels)
    loss.backward()
    recorder.step(loss)
    for copy_of in (lambda x: pickle.loads(pickle.dumps(x)), copy.deepcopy):
        report_copy, recorder_copy = copy_of(report), copy_of(recorder)
        assert str(report_copy) == str(report) and report_copy.layers[1].dead == report.layers[1].dead
        assert recorder_copy.losses == recorder.losses and recorder_copy.layers[0].std == recorder.layers[0].std
        with pytest.raises(RuntimeError, match="copy"):
            report_copy.why(0, 0)
        with pytest.raises(RuntimeError, match="copy"):
            recorder_copy.step(loss)
    recorder.close()
    assert all(type(layer) is nn.Layer and layer._forward_hooks == () for layer in model.layers)


def test_diverged_numbers_are_not_counted():
    """With a NaN weight the activations are NaN: mean and std say nan, and no share is counted from them."""
    model = mixed_model()
    model.layers[0].neurons[0].w[0].data = float("nan")
    report = nn.health(model, batch()[0])
    assert math.isnan(report.layers[0].mean) and report.layers[0].saturated is None
    assert report.layers[0].near_zero is None
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with nn.Recorder(model, optimizer) as recorder:
        loss = nn.cross_entropy([model(p) for p in batch()[0]], batch()[1])
        loss.backward()
        recorder.step(loss)
    assert recorder.layers[0].saturated == [None] and sum(recorder.layers[0].histogram[0]) == 0


def test_quick_std_keeps_its_precision_for_a_saturated_layer():
    """Values 1 − 1e-9·k (a saturated tanh layer: near 1, tiny spread): the recorder's quick mean and std agree
    with torch float64 and with the exact two-pass std to 1e-6 relative, where E[x²] − mean² loses every digit."""
    from nn.layer_statistics import mean_and_std, quick_mean_and_std
    for n in (2, 7, 50):
        values = [1.0 - 1e-9 * k for k in range(n)]
        mean, spread = quick_mean_and_std(values)
        expected = torch.tensor(values, dtype=torch.float64)
        assert mean == pytest.approx(expected.mean().item(), rel=1e-15)
        assert spread == pytest.approx(expected.std(correction=0).item(), rel=1e-6)
        assert spread == pytest.approx(mean_and_std(values)[1], rel=1e-6)
        negated = quick_mean_and_std([-v for v in values])
        assert negated[1] == pytest.approx(spread, rel=1e-6)


# ---- the watch: forward hooks --------------------------------------------------------------------------
def live_values():
    """How many Values exist now (after a full garbage collection)."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Value)


def one_step(model, optimizer, recorder, points, labels):
    loss = nn.cross_entropy([model(p) for p in points], labels)
    optimizer.zero_grad()
    loss.backward()
    recorder.step(loss)


def test_a_watched_model_pickles_copies_and_keeps_its_parameters():
    """While recorded, the layers are plain nn.Layers with the same parameters; the model pickles, deep-copies
    and saves without its hooks (a copy's calls reach no recorder); calls under no_grad are not collected."""
    model = mixed_model()
    names = [name for name, _ in model.named_parameters()]
    with nn.Recorder(model, nn.SGD(model.parameters(), lr=0.1)) as recorder:
        assert all(type(layer) is nn.Layer for layer in model.layers)
        assert all(len(layer._forward_hooks) == 1 for layer in model.layers)
        assert [name for name, _ in model.named_parameters()] == names
        copied = pickle.loads(pickle.dumps(model))
        deep = copy.deepcopy(model)
        for other in (copied, deep):
            assert all(type(layer) is nn.Layer and layer._forward_hooks == () and "_forward_hooks" not in vars(layer)
                       for layer in other.layers)
            other([0.3, -0.4])
        with no_grad():
            model([0.1, 0.2])
        assert all(calls == [] for calls in recorder._watch.outputs)
        model([0.1, 0.2])
        assert [len(calls) for calls in recorder._watch.outputs] == [1, 1, 1, 1]
    assert all(layer._forward_hooks == () and "_forward_hooks" not in vars(layer) for layer in model.layers)
    for other in (copied, deep):
        assert other.state_dict() == model.state_dict()
        assert [y.data for y in other([0.3, -0.4])] == [y.data for y in model([0.3, -0.4])]


def test_a_gpt_linear_is_a_plain_linear_while_recorded_and_saves_as_one(tmp_path):
    """A GPT's Linears stay `nn.Linear` while a Recorder is open; nn.save and nn.load work mid-recording."""
    random.seed(0)
    network = gpt.GPT(5)
    with nn.Recorder(network, nn.SGD(network.parameters(), lr=0.1)):
        assert type(network.lm_head) is nn.Linear and len(network.lm_head._forward_hooks) == 1
        nn.save(network, tmp_path / "gpt.json")
        random.seed(1)
        other = nn.load(gpt.GPT(5), tmp_path / "gpt.json")
        assert other.state_dict() == network.state_dict() and other.lm_head._forward_hooks == ()


def test_a_dropped_recorder_leaks_nothing():
    """A recorder dropped without close() stops recording: the outputs it held are freed, and later calls of
    the model keep nothing alive."""
    model = mixed_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    points, labels = batch(4)
    recorder = nn.Recorder(model, optimizer)
    one_step(model, optimizer, recorder, points, labels)
    held = model([0.25, -0.5])[0]
    held.label = "held by the recorder only"
    del held, recorder
    gc.collect()
    assert not any(type(thing) is Value and thing.label == "held by the recorder only" for thing in gc.get_objects())
    assert all(layer._forward_hooks == () for layer in model.layers)
    before = live_values()
    for _ in range(100):
        model([0.1, 0.2])
    assert live_values() - before < 10                          # one call makes 18 nodes: none is kept


def test_a_recorder_dropped_by_an_exception_leaks_nothing():
    """A `with` block left by an exception closes the recorder: the layers have no hooks."""
    model = mixed_model()
    with pytest.raises(ZeroDivisionError):
        with nn.Recorder(model, nn.SGD(model.parameters(), lr=0.1)):
            model([0.1, 0.2])
            1 / 0
    assert all(layer._forward_hooks == () for layer in model.layers)


def test_another_threads_calls_are_not_recorded():
    """A recorder counts only the calls made in the thread that made it, and a recorder made in another
    thread sees nothing of this one's calls."""
    model = mixed_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    points, labels = batch(4)
    with nn.Recorder(model, optimizer) as recorder:
        worker = threading.Thread(target=lambda: [model(p) for p in points * 5])
        worker.start(); worker.join()
        assert all(calls == [] for calls in recorder._watch.outputs)
        one_step(model, optimizer, recorder, points, labels)
    assert [sum(h.histogram[0]) for h in recorder.layers] == [4 * 6, 4 * 5, 4 * 4, 4 * 3]
    seen = []

    def record_in_a_thread():
        with nn.Recorder(model, optimizer) as other:
            model([0.1, 0.2])
            barrier.wait(); barrier.wait()                     # the main thread calls the model in between
            seen.append([len(calls) for calls in other._watch.outputs])

    barrier = threading.Barrier(2)
    worker = threading.Thread(target=record_in_a_thread)
    worker.start()
    barrier.wait()
    model([0.3, 0.4]); model([0.5, 0.6])
    barrier.wait()
    worker.join()
    assert seen == [[1, 1, 1, 1]]


def test_health_and_why_inside_a_recorder_are_not_counted():
    """nn.health and report.why run the model while a Recorder is open: the recorder's step counts only its
    own batch; two plain watches both see every call."""
    model = mixed_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    points, labels = batch(6)
    with nn.Recorder(model, optimizer) as recorder:
        loss = nn.cross_entropy([model(p) for p in points], labels)
        report = nn.health(model, points[:4], labels[:4], loss=nn.cross_entropy)
        report.why(0, 0)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
    assert report.layers[0].samples == 4
    assert [sum(h.histogram[0]) for h in recorder.layers] == [6 * 6, 6 * 5, 6 * 4, 6 * 3]
    outer = Watch(model).open()
    with Watch(model) as inner:
        model([0.5, 0.5])
    model([0.1, 0.1])
    assert [len(c) for c in inner.outputs] == [1] * 4 and [len(c) for c in outer.outputs] == [2] * 4
    outer.close()
    assert all(layer._forward_hooks == () for layer in model.layers)


def test_forward_hooks_are_torchs():
    """register_forward_hook runs hook(module, inputs, outputs) after each call, in order, until handle.remove();
    removing one of two leaves the other; a hook that is not callable is refused."""
    random.seed(0)
    layer, calls = nn.Layer(2, 3, "tanh"), []
    first = layer.register_forward_hook(lambda module, x, out: calls.append(("first", module, x, out)))
    second = layer.register_forward_hook(lambda module, x, out: calls.append(("second", module, x, out)))
    outputs = layer([0.5, -0.5])
    assert [c[0] for c in calls] == ["first", "second"] and calls[0][1] is layer and calls[0][3] is outputs
    first.remove(); first.remove()
    layer([0.5, -0.5])
    assert [c[0] for c in calls] == ["first", "second", "second"]
    second.remove()
    assert layer._forward_hooks == () and "_forward_hooks" not in vars(layer)
    with pytest.raises(TypeError, match="callable"):
        layer.register_forward_hook(3)
    assert layer._forward_hooks == ()


# ---- the Recorder -------------------------------------------------------------------------------------
def test_recorder_step_matches_health_on_the_same_batch():
    """One recorded step holds the numbers nn.health gives on that batch before the step, and the update
    ratio is log10(std(after − before) / std(before)) of each layer's weights."""
    model = mixed_model()
    points, labels = batch()
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    before = [[w.data for n in layer.neurons for w in n.w] for layer in model.layers]
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    with nn.Recorder(model, optimizer) as recorder:
        loss = nn.cross_entropy([model(p) for p in points], labels)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
    assert recorder.losses == [report.loss] and recorder.steps == 1
    for layer, history, old in zip(report.layers, recorder.layers, before):
        for field in ("mean", "std", "near_zero", "grad_mean", "grad_std", "grad_to_data"):
            assert getattr(history, field)[0] == pytest.approx(getattr(layer, field), rel=1e-9, abs=1e-15), field
        assert history.saturated[0] == layer.saturated
        assert history.dead[0] == (len(layer.dead) / layer.units if layer.activation == "relu" else None)
        new = [w.data for n in model.layers[layer.index].neurons for w in n.w]
        updates = torch.tensor([a - b for a, b in zip(new, old)], dtype=torch.float64)
        expected = updates.std(correction=0) / torch.tensor(old, dtype=torch.float64).std(correction=0)
        assert history.update_ratio[0] == pytest.approx(math.log10(expected.item()), rel=1e-9)
        assert sum(history.histogram[0]) == layer.samples * layer.units


def test_recorder_in_the_demos_fit_loop():
    """_common.fit with a recorder: the same losses as without, one record per step, every layer's ratio kept."""
    points, labels = make_spiral(n_per_class=5, seed=0)

    def run(with_recorder):
        random.seed(0)
        model = nn.MLP(2, [6, 6, 3], activation="tanh")
        optimizer = nn.SGD(model.parameters(), lr=0.3)
        recorder = nn.Recorder(model, optimizer) if with_recorder else None
        step = lambda: (nn.cross_entropy([model(p) for p in points], labels), 0.0)
        losses, _ = _common.fit(optimizer, step, 4, "test", True, recorder=recorder)
        return losses, recorder

    plain, _ = run(False)
    recorded, recorder = run(True)
    recorder.close()
    assert recorded == plain and recorder.losses == plain and recorder.steps == 4
    assert all(len(h.update_ratio) == 4 and None not in h.update_ratio for h in recorder.layers)
    assert len(recorder.update_ratio) == 4 and 0.0 < recorder.median_update_ratio() < 1.0
    with pytest.raises(ValueError, match="optimizer"):
        _common.fit(nn.SGD(nn.MLP(2, [2]).parameters(), lr=0.1), lambda: None, 1, "test", True, recorder=recorder)


def test_recorder_with_the_gpt():
    """Two GPT steps (the demo's loop, Adam, a tape) with recorder.step: the same losses as the demo's
    train, a record per Linear per step, and the update ratio measured across Adam's step."""
    vocabulary = gpt.Vocabulary(list(string.ascii_lowercase))
    names = ["emma", "olivia"]

    def model():
        random.seed(0)
        return gpt.GPT(vocabulary.size)

    expected, _, _ = gpt.train(model(), vocabulary, names, 2, quiet=True)
    network = model()
    optimizer = nn.Adam(network.parameters(), lr=gpt.LEARNING_RATE, betas=gpt.BETAS, eps=gpt.EPS)
    with nn.Recorder(network, optimizer) as recorder, tape():
        for step in range(2):
            loss = network.loss(vocabulary.encode(names[step]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.lr = gpt.learning_rate(step, 2)
            recorder.step(loss)
    assert recorder.losses == expected
    assert [h.name for h in recorder.layers] == ["layers[0].attn_wq", "layers[0].attn_wk", "layers[0].attn_wv",
                                                 "layers[0].attn_wo", "layers[0].mlp_fc1", "layers[0].mlp_fc2",
                                                 "lm_head"]
    assert all(len(h.mean) == 2 and h.saturated == [None, None] for h in recorder.layers)
    assert all(-4.0 < log < 0.0 for h in recorder.layers for log in h.update_ratio)   # Adam moves every weight


def test_health_of_the_gpt():
    """nn.health on a GPT with forward=model.loss: one row per predicted position (4 for ada, 3 for bo), and
    every parameter's .grad left as it was."""
    vocabulary = gpt.Vocabulary(list(string.ascii_lowercase))
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    tokens = [vocabulary.encode(name) for name in ("ada", "bo")]
    report = nn.health(model, tokens, loss=lambda losses, _: sum(losses) * (1.0 / len(losses)), forward=model.loss)
    head = report.layer("lm_head")
    assert head.samples == 4 + 3 and head.units == vocabulary.size and head.grad_std > 0.0
    assert str(report).startswith("Training health of a GPT on 2 samples")
    assert all(p.grad == 0.0 for p in model.parameters())


def test_recorder_refuses_a_step_without_gradients():
    """recorder.step before backward, or with no forward since the last step: a clear RuntimeError."""
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with nn.Recorder(model, optimizer) as recorder:
        loss = model([1.0, 2.0]) * 1.0
        with pytest.raises(RuntimeError, match="backward"):
            recorder.step(loss)
        loss.backward()
        recorder.step(loss)
        with pytest.raises(RuntimeError, match="no layer"):
            recorder.step(loss)
    assert recorder.steps == 1 and type(model.layers[0]) is nn.Layer


# ---- the pictures ---------------------------------------------------------------------------------------
def test_every_picture_is_a_figure_that_saves_and_shows(tmp_path):
    """Each plot function returns a Figure that a notebook shows as PNG and that saves as a PNG file; the
    histogram over time has one column per step and one row per bin."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from nn import health_plots

    model = mixed_model()
    points, labels = batch(12)
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    with nn.Recorder(model, optimizer, bins=20) as recorder:
        for _ in range(3):
            loss = nn.cross_entropy([model(p) for p in points], labels)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
    figures = {"activations": health_plots.activation_histograms(report),
               "gradients": health_plots.gradient_histograms(report),
               "updates": health_plots.update_ratios(recorder),
               "saturation": health_plots.saturation_over_steps(recorder),
               "over_time": health_plots.histogram_over_time(recorder, "layers[0]")}
    assert figures["activations"]._repr_png_().startswith(PNG_SIGNATURE)        # how a notebook shows it
    for name, figure in figures.items():
        assert isinstance(figure, Figure) and hasattr(figure, "_repr_png_")
        figure.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)
    (image,) = figures["over_time"].axes[0].get_images()
    assert image.get_array().shape == (20, 3)
    guide = [line for line in figures["updates"].axes[0].get_lines() if list(line.get_ydata()) == [-3.0, -3.0]]
    assert guide
    with pytest.raises(ValueError, match="loss"):
        health_plots.gradient_histograms(nn.health(model, points))


# ---- the benchmark --------------------------------------------------------------------------------------
def test_recorder_benchmark_cases_compute_the_same_losses():
    """The benchmark's plain and recorded moons steps give the same losses (the recorder only reads), and its
    section reports an overhead with a verdict."""
    points, labels = moons(8)
    plain, recorded = recorder_bench.cases(initial_weights((2, 4, 4, 1)), points, labels, steps=2)
    assert plain.run(plain.prepare()) == recorded.run(recorded.prepare())
    config = {"consecutive_steps": 1, "repeats": 1, "disable_gc": False}
    section = recorder_bench.section(config, lambda cases, results: {"x": 0.0}, initial_weights((2, 4, 4, 1)),
                                     points, labels)
    assert section["notes"][0].startswith(("PASS", "FAIL")) and math.isfinite(section["overhead"])


# ---- the words and numbers a new user reads --------------------------------------------------------------
def regression_model():
    """The new user's first regression: 1 → 4 relu → 1, on x = 0, 0.25, ..., 1.75; targets 3x + 5 (5 to 10.25)."""
    random.seed(0)
    model = nn.MLP(1, [4, 1])
    inputs = [[i / 4] for i in range(8)]
    return model, inputs, [3 * x[0] + 5 for x in inputs]


def outputs_of(model, inputs):
    with no_grad():
        return [model(x).data for x in inputs]


def test_mse_far_above_chance_says_which_way_the_outputs_are_off():
    """For mse, a loss far above chance (the targets' variance) because the outputs average far from the
    targets says so, with both means and which way, and advises a bias at the targets' mean or centred
    targets, never smaller last-layer weights; the outputs too far above get "too large"."""
    model, inputs, targets = regression_model()
    report = nn.health(model, inputs, targets, loss=nn.mse_loss)
    first = report.findings[0]
    outputs = outputs_of(model, inputs)
    assert report.loss > 10 * report.chance_loss
    assert (f"the outputs average {shown(statistics.fmean(outputs))} where the targets average "
            f"{shown(statistics.fmean(targets))}: too small") in first
    assert "a bias in the last layer at the targets' mean, or centred targets" in first
    assert "smaller weights" not in first and "too large" not in first and "confidently" not in first
    above = nn.health(model, inputs, [-t for t in targets], loss=nn.mse_loss).findings[0]
    assert ": too large" in above and "a bias in the last layer at the targets' mean" in above
    assert "smaller weights" not in above


def test_mse_far_above_chance_from_wide_outputs_advises_smaller_last_weights():
    """When the outputs average where the targets do but spread far wider, the finding gives both stds and
    advises smaller weights in the last layer (and no bias)."""
    model, inputs, _ = regression_model()
    for neuron in model.layers[1].neurons:
        for w in neuron.w:
            w.data *= 40.0
    outputs = outputs_of(model, inputs)
    centre = statistics.fmean(outputs)
    targets = [centre + (0.1 if k % 2 else -0.1) for k in range(len(inputs))]
    first = nn.health(model, inputs, targets, loss=nn.mse_loss).findings[0]
    assert (f"std {shown(statistics.pstdev(outputs))} against the targets' {shown(statistics.pstdev(targets))}"
            in first)
    assert "smaller weights in the last layer" in first and "bias in the last layer" not in first


def test_the_chance_rules_nest_no_brackets():
    """Each loss's chance rule reads without a bracket inside a bracket, in the findings and the loss line."""
    model, inputs, targets = regression_model()
    report = nn.health(model, inputs, targets, loss=nn.mse_loss)
    assert bracket_depth(report.findings[0]) <= 1 and bracket_depth(report.loss_line()) <= 1
    assert "the targets' variance" in report.chance_rule
    random.seed(0)
    classifier = nn.MLP(1, [4, 1], activation="tanh")
    signs = [1 if k % 2 else -1 for k in range(len(inputs))]
    for loss, labels in ((nn.binary_cross_entropy, [(s + 1) // 2 for s in signs]), (nn.hinge_loss, signs)):
        other = nn.health(classifier, inputs, labels, loss=loss)
        assert bracket_depth(other.findings[0]) <= 1 and bracket_depth(other.loss_line()) <= 1, other.chance_rule


def test_a_loss_far_above_chance_is_worded_true_at_any_step():
    """Cross-entropy far above chance with large logits: confidently wrong, with the top class's mean
    probability against a guess's and how many samples it gets right, and smaller last-layer weights;
    nothing that assumes step 0."""
    model = mixed_model()
    for neuron in model.layers[3].neurons:
        for w in neuron.w:
            w.data *= 30.0
    points, labels = batch()
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    first = report.findings[0]
    with no_grad():
        logits = [[z.data for z in model(p)] for p in points]
    top = statistics.fmean(math.exp(max(z)) / sum(math.exp(v) for v in z) for z in logits)
    right = sum(z.index(max(z)) == k for z, k in zip(logits, labels))
    assert "confidently wrong" in first and "smaller weights in the last layer" in first
    assert f"its top class gets {shown(top)} of the probability on average (a guess gives each {shown(1 / 3)})" in first
    assert f"right on {right} of {len(points)} samples" in first
    for assumes_step_zero in ("before it has learned", "start it", "starts", "at initialization"):
        assert assumes_step_zero not in first


def test_every_number_a_report_shows_is_written_by_shown():
    """Tables, findings, why() and the recorder write every number as autograd.shown does: an exact zero
    is "0", never "0.0000" or "0.0%"."""
    model = mixed_model()
    points, labels = batch()
    report = nn.health(model, points, labels, loss=nn.cross_entropy)
    dead = report.why("layers[1]", 2)
    assert "  h = relu(z) = 0" in dead.lines
    regression, inputs, targets = regression_model()
    texts = [str(report), re.sub(r"<[^>]*>", " ", report._repr_html_()), str(dead), str(report.why("layers[0]", 1)),
             str(report.why("layers[2]", 0)), str(nn.health(regression, inputs, targets, loss=nn.mse_loss))]
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    with nn.Recorder(model, optimizer) as recorder:
        for _ in range(2):
            loss = nn.cross_entropy([model(p) for p in points], labels)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
    texts.append(str(recorder))
    for text in texts:
        assert_numbers_shown(text)


def test_why_writes_a_tanh_output_next_to_its_flat_end_as_a_distance_from_it():
    """A tanh output that shown() would round to 1 is written 1 − gap, with the gap by shown(), so the
    line 1 − h² = ... still reads true."""
    random.seed(0)
    model = nn.MLP(1, [1, 1], activation="tanh")
    model.layers[0].neurons[0].w[0].data, model.layers[0].neurons[0].b.data = 10.0, 0.0
    answer = nn.health(model, [[1.0]], [0.0], loss=nn.mse_loss).why(0, 0)
    gap = 1.0 - answer.h
    assert 0.0 < gap < 1e-8
    assert f"  h = tanh(z) = 1 − {shown(gap)}" in answer.lines
    assert f"1 − (1 − {shown(gap)})² = {shown(answer.local_derivative)}" in str(answer)
    assert_numbers_shown(str(answer))


def test_the_recorder_says_what_its_losses_are():
    """str(recorder) names its losses: each step's batch, before that step's update."""
    model = mixed_model()
    points, labels = batch(8)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    with nn.Recorder(model, optimizer) as recorder:
        for _ in range(3):
            loss = nn.cross_entropy([model(p) for p in points], labels)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
    first, last = recorder.losses[0], recorder.losses[-1]
    assert (f"the loss of each step's batch, before that step's update: {shown(first)} at step 0 and "
            f"{shown(last)} at step 2") in str(recorder)


def test_titles_take_an_before_a_vowel_sound():
    """'an MLP' (em-el-pee), 'a Mixed': the article goes by sound, in the report's text, its HTML and the recorder."""
    random.seed(0)
    mlp = nn.MLP(2, [3, 2])
    points, labels = batch(4)
    report = nn.health(mlp, points, [k % 2 for k in labels], loss=nn.cross_entropy)
    assert str(report).startswith("Training health of an MLP on 4 samples")
    assert "Training health of an MLP on 4 samples" in report._repr_html_()
    assert str(nn.health(mixed_model(), points)).startswith("Training health of a Mixed on 4 samples")
    with nn.Recorder(mlp, nn.SGD(mlp.parameters(), lr=0.1)) as recorder:
        pass
    assert str(recorder).startswith("Recorder of an MLP: 0 steps")


def recorded_steps(steps):
    model = mixed_model()
    points, labels = batch(6)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    with nn.Recorder(model, optimizer, bins=10) as recorder:
        for _ in range(steps):
            loss = nn.cross_entropy([model(p) for p in points], labels)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
    return recorder


@pytest.mark.parametrize("steps", [2, 4])
def test_pictures_over_steps_mark_whole_steps(steps):
    """The update ratios, the saturation and the histogram over time mark whole steps only (no 2.5)."""
    pytest.importorskip("matplotlib")
    from nn import health_plots

    recorder = recorded_steps(steps)
    for figure in (health_plots.update_ratios(recorder), health_plots.saturation_over_steps(recorder),
                   health_plots.histogram_over_time(recorder, 0)):
        figure.savefig(io.BytesIO(), format="png")
        axes = figure.axes[0]
        low, high = axes.get_xlim()
        ticks = [tick for tick in axes.get_xticks() if low - 1e-9 <= tick <= high + 1e-9]
        assert len(ticks) >= 2 and all(tick == int(tick) for tick in ticks), ticks


def test_gradient_histograms_share_one_scale():
    """The gradient panels share one x scale, so a gradient that fades from layer to layer looks narrower;
    each panel's title still gives its std."""
    pytest.importorskip("matplotlib")
    from nn import health_plots

    report = nn.health(mixed_model(), *batch(12), loss=nn.cross_entropy)
    figure = health_plots.gradient_histograms(report)
    figure.savefig(io.BytesIO(), format="png")
    panels = [axes for axes in figure.axes if axes.get_title()]
    assert len(panels) == 3 and len({axes.get_xlim() for axes in panels}) == 1
    assert all(f"std {shown(layer.grad_std)}" in axes.get_title() for axes, layer in zip(panels, report.layers))
