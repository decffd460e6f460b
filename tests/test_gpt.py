"""Tests of the GPT: its nn parts against PyTorch and central differences, the whole model and its Adam step
against PyTorch float64, the learning milestones, the data checks, the demo's files and the benchmark."""
import json
import math
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd import Value, explain, gradcheck, tape, weighted_sum
from benchmarks import gpt as bench
from demos import gpt

torch = pytest.importorskip("torch")

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-9
# Every letter appears as an input token, and the last name fills all 16 positions.
PANGRAM_NAMES = ["quinn", "xavier", "zoe", "jake", "brody", "wyatt", "gemma", "felix", "cecily", "hugo",
                 "maximilianjoseph"]


def close(a, b, tolerance=TOLERANCE):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def tensor(rows):
    return torch.tensor([[v.data for v in row] for row in rows], dtype=torch.float64, requires_grad=True)


def torch_rmsnorm(x, eps=1e-5):
    return x / torch.sqrt((x * x).mean() + eps)


# ---- the nn parts -------------------------------------------------------------------------------------
def test_linear_matches_torch_with_and_without_bias():
    """Linear's outputs and the gradients of its weights, bias and inputs equal torch's x @ W.T + b."""
    random.seed(1)
    for bias in (True, False):
        layer = nn.Linear(5, 3, bias=bias)
        if bias:
            for i, b in enumerate(layer.bias):
                b.data = 0.1 * (i + 1)
        xs = [Value(random.uniform(-1, 1)) for _ in range(5)]
        outputs = layer(xs)
        loss = weighted_sum(outputs, [1.0, -2.0, 0.5])
        loss.backward()
        W = tensor(layer.weight)
        x = torch.tensor([v.data for v in xs], dtype=torch.float64, requires_grad=True)
        out = W @ x
        if bias:
            b = torch.tensor([v.data for v in layer.bias], dtype=torch.float64, requires_grad=True)
            out = out + b
        (out @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)).backward()
        assert all(close(o.data, t) for o, t in zip(outputs, out.tolist()))
        assert all(close(w.grad, g) for row, grow in zip(layer.weight, W.grad.tolist()) for w, g in zip(row, grow))
        assert all(close(v.grad, g) for v, g in zip(xs, x.grad.tolist()))
        if bias:
            assert all(close(v.grad, g) for v, g in zip(layer.bias, b.grad.tolist()))
        else:
            assert layer.bias is None and len(layer.parameters()) == 15


def test_linear_and_embedding_initial_scales():
    """Linear draws from U(-1/√nin, 1/√nin) by default or N(0, std²); Embedding from N(0, std²)."""
    random.seed(0)
    default = [w.data for row in nn.Linear(16, 64).weight for w in row]
    assert max(abs(w) for w in default) <= 0.25 and len(default) == 1024
    drawn = [w.data for row in nn.Linear(16, 64, std=0.08).weight for w in row]
    assert 0.07 < math.sqrt(sum(w * w for w in drawn) / len(drawn)) < 0.09
    table = [w.data for row in nn.Embedding(64, 16, std=0.08).weight for w in row]
    assert 0.07 < math.sqrt(sum(w * w for w in table) / len(table)) < 0.09


def test_embedding_returns_the_parameters_and_checks_the_index():
    """Looking up a row makes no node: gradient flows straight into the table; a bad index raises."""
    random.seed(0)
    table = nn.Embedding(4, 2)
    row = table(3)
    (row[0] * 2.0 + row[1]).backward()
    assert [w.grad for w in table.weight[3]] == [2.0, 1.0]
    assert all(w.grad == 0.0 for r in table.weight[:3] for w in r)
    with pytest.raises(IndexError, match="out of range"):
        table(4)
    with pytest.raises(TypeError, match="must be an int"):
        table(1.0)


def test_rmsnorm_matches_torch_and_central_differences():
    """rmsnorm's outputs and input gradients equal torch's x / sqrt(mean(x²) + eps); gradcheck agrees."""
    point = [0.3, -1.2, 2.5, 0.05]
    coefficients = [1.0, -0.5, 2.0, 0.25]
    xs = [Value(v) for v in point]
    ys = nn.rmsnorm(xs)
    weighted_sum(ys, coefficients).backward()
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    y = torch_rmsnorm(x)
    (y @ torch.tensor(coefficients, dtype=torch.float64)).backward()
    assert all(close(a.data, b) for a, b in zip(ys, y.tolist()))
    assert all(close(a.grad, b) for a, b in zip(xs, x.grad.tolist()))
    assert gradcheck(lambda *v: weighted_sum(nn.rmsnorm(list(v)), coefficients), point)


def test_attention_head_matches_torch_and_central_differences():
    """One head (scores, softmax, weighted sum of values) equals torch's softmax(K q / √d) @ V, gradients too."""
    rng = random.Random(3)
    q0 = [rng.uniform(-1, 1) for _ in range(4)]
    k0 = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(3)]
    v0 = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(3)]
    q, ks, vs = [Value(x) for x in q0], [[Value(x) for x in r] for r in k0], [[Value(x) for x in r] for r in v0]
    _, weights, output = gpt.attend(q, ks, vs)
    total = weighted_sum(output, [1.0, 2.0, -1.0, 0.5])
    total.backward()
    tq = torch.tensor(q0, dtype=torch.float64, requires_grad=True)
    tk = torch.tensor(k0, dtype=torch.float64, requires_grad=True)
    tv = torch.tensor(v0, dtype=torch.float64, requires_grad=True)
    attention = torch.softmax(tk @ tq / 2.0, dim=0)
    (attention @ tv @ torch.tensor([1.0, 2.0, -1.0, 0.5], dtype=torch.float64)).backward()
    assert all(close(w.data, t) for w, t in zip(weights, attention.tolist()))
    assert all(close(a.grad, b) for a, b in zip(q, tq.grad.tolist()))
    assert all(close(a.grad, b) for r, tr in zip(ks, tk.grad.tolist()) for a, b in zip(r, tr))
    assert all(close(a.grad, b) for r, tr in zip(vs, tv.grad.tolist()) for a, b in zip(r, tr))

    def head(*flat):                                           # q (4), one key (4), one value (4)
        _, _, out = gpt.attend(list(flat[:4]), [list(flat[4:8]), k0[1]], [list(flat[8:12]), v0[1]])
        return weighted_sum(out, [1.0, 2.0, -1.0, 0.5])
    assert gradcheck(head, q0 + k0[0] + v0[0])


def test_nn_exports_the_softmax_family():
    """nn.softmax and nn.log_softmax are the engine's stable ones."""
    import autograd
    assert nn.softmax is autograd.softmax and nn.log_softmax is autograd.log_softmax


# ---- the whole model against PyTorch float64 --------------------------------------------------------
def torch_model(model):
    """The model's weights as float64 tensors, by the model's own parameter-name prefixes."""
    block = model.layers[0]
    weights = {"wte": model.wte.weight, "wpe": model.wpe.weight, "lm_head": model.lm_head.weight,
               "wq": block.attn_wq.weight, "wk": block.attn_wk.weight, "wv": block.attn_wv.weight,
               "wo": block.attn_wo.weight, "fc1": block.mlp_fc1.weight, "fc2": block.mlp_fc2.weight}
    return {name: tensor(rows) for name, rows in weights.items()}, weights


def torch_loss(W, tokens, n_head=4, block_size=16):
    """The same forward in torch: embeddings, rmsnorm, one block of causal attention + relu MLP, lm_head."""
    keys, values, losses = [], [], []
    head_dim = W["wq"].shape[0] // n_head
    for position in range(min(block_size, len(tokens) - 1)):
        x = torch_rmsnorm(W["wte"][tokens[position]] + W["wpe"][position])
        h = torch_rmsnorm(x)
        q = W["wq"] @ h
        keys.append(W["wk"] @ h)
        values.append(W["wv"] @ h)
        K, V = torch.stack(keys), torch.stack(values)
        heads = []
        for head in range(n_head):
            part = slice(head * head_dim, (head + 1) * head_dim)
            attention = torch.softmax(K[:, part] @ q[part] / math.sqrt(head_dim), dim=0)
            heads.append(attention @ V[:, part])
        x = x + W["wo"] @ torch.cat(heads)
        x = x + W["fc2"] @ torch.relu(W["fc1"] @ torch_rmsnorm(x))
        logits = W["lm_head"] @ x
        losses.append(-torch.log_softmax(logits, dim=0)[tokens[position + 1]])
    return torch.stack(losses).mean()


def test_one_training_step_matches_torch_float64():
    """Same weights, same name: the loss and every one of the 4,192 gradients agree with torch within 1e-9."""
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(7)
    model = gpt.GPT(vocabulary.size)
    tokens = vocabulary.encode("isabella")
    W, ours = torch_model(model)
    loss = model.loss(tokens)
    loss.backward()
    expected = torch_loss(W, tokens)
    expected.backward()
    assert len(model.parameters()) == 4192
    assert close(loss.data, expected.item())
    checked = 0
    for name, rows in ours.items():
        for row, grad_row in zip(rows, W[name].grad.tolist()):
            for parameter, g in zip(row, grad_row):
                assert close(parameter.grad, g), (name, parameter.label, parameter.grad, g)
                checked += 1
    assert checked == 4192


def test_adam_steps_match_torch_optim_adam():
    """Two steps of the demo's training loop (tape, Adam 0.85/0.99, linear lr decay) land on the same
    weights as torch.optim.Adam with the same schedule, within 1e-9, with the same losses."""
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(11)
    model = gpt.GPT(vocabulary.size)
    W, ours = torch_model(model)
    names = ["olivia", "noah"]
    losses, nodes, _ = gpt.train(model, vocabulary, names, steps=2, quiet=True)
    optimizer = torch.optim.Adam(W.values(), lr=gpt.LEARNING_RATE, betas=gpt.BETAS, eps=gpt.EPS)
    expected = []
    for step, name in enumerate(names):
        optimizer.zero_grad()
        loss = torch_loss(W, vocabulary.encode(name))
        loss.backward()
        for group in optimizer.param_groups:
            group["lr"] = gpt.learning_rate(step, 2)
        optimizer.step()
        expected.append(loss.item())
    assert all(close(a, b) for a, b in zip(losses, expected))
    assert 1000 < nodes[0] < 10_000
    for name, rows in ours.items():
        for row, data_row in zip(rows, W[name].tolist()):
            for parameter, value in zip(row, data_row):
                assert close(parameter.data, value), (parameter.label, parameter.data, value)


def test_model_gradient_matches_central_differences():
    """For a few parameters of the whole model, backward's gradient equals (L(p + h) − L(p − h)) / 2h."""
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(5)
    model = gpt.GPT(vocabulary.size)
    tokens = vocabulary.encode("ada")
    model.loss(tokens).backward()
    named = dict(model.named_parameters())
    for name in ["wte.weight.0.3", "wpe.weight.1.7", "layers.0.attn_wk.weight.2.9",
                 "layers.0.mlp_fc1.weight.40.0", "lm_head.weight.3.15"]:
        parameter, h = named[name], 1e-6
        original = parameter.data
        parameter.data = original + h
        up = model.loss(tokens).data
        parameter.data = original - h
        down = model.loss(tokens).data
        parameter.data = original
        assert abs(parameter.grad - (up - down) / (2 * h)) <= 1e-6 + 1e-4 * abs(parameter.grad), name


# ---- learning milestones --------------------------------------------------------------------------------
def test_initial_loss_is_about_ln_vocabulary_size():
    """Before any step the model guesses about uniformly: the mean loss over 64 names is within 0.1 of ln 27."""
    names = gpt.census_names()
    vocabulary = gpt.Vocabulary(names)
    for seed in (0, 1):
        random.seed(seed)
        model = gpt.GPT(vocabulary.size)
        sample = random.sample(names, 64)
        mean = sum(model.loss(vocabulary.encode(name)).data for name in sample) / len(sample)
        assert abs(mean - math.log(vocabulary.size)) < 0.1, (seed, mean)


def test_a_short_run_lowers_the_loss():
    """Forty steps on eight names lower their mean loss by more than 0.4."""
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    names = ["anna", "emma", "ella", "hanna", "anne", "emily", "ellen", "hannah"]
    before = sum(model.loss(vocabulary.encode(name)).data for name in names) / len(names)
    gpt.train(model, vocabulary, names, steps=40, quiet=True)
    after = sum(model.loss(vocabulary.encode(name)).data for name in names) / len(names)
    assert after < before - 0.4, (before, after)


def test_every_parameter_gets_a_gradient_within_a_few_steps():
    """Over eleven names that use every letter and all 16 positions, every parameter gets a non-zero gradient."""
    vocabulary = gpt.Vocabulary([string.ascii_lowercase])
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    touched = set()
    with tape():
        for name in PANGRAM_NAMES:
            model.zero_grad()
            model.loss(vocabulary.encode(name)).backward()
            touched.update(p.label for p in model.parameters() if p.grad != 0.0)
    untouched = [p.label for p in model.parameters() if p.label not in touched]
    assert not untouched, untouched[:10]


def test_sampling_is_deterministic_and_uses_the_vocabulary():
    """Same seed, same names; every sample is made of the data's characters and fits the block."""
    vocabulary = gpt.Vocabulary(["abc", "cab"])
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    random.seed(1)
    first = [model.sample(vocabulary, 0.7) for _ in range(5)]
    random.seed(1)
    assert [model.sample(vocabulary, 0.7) for _ in range(5)] == first
    assert all(set(name) <= set("abc") and len(name) <= 16 for name in first)


# ---- the tools on the model --------------------------------------------------------------------------
def test_explain_works_on_a_model_parameter():
    """explain(loss, parameter) gives the parameter's gradient and names it by its place in the model."""
    vocabulary = gpt.Vocabulary(["ab"])
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    loss = model.loss(vocabulary.encode("ab"))
    loss.backward()
    parameter = model.lm_head.weight[1][3]
    explanation = explain(loss, parameter)
    assert explanation.gradient == pytest.approx(parameter.grad, rel=1e-12, abs=1e-15)
    assert "∂loss/∂lm_head.weight.1.3" in str(explanation)
    deep = model.wte.weight[0][0]
    assert explain(loss, deep).gradient == pytest.approx(deep.grad, rel=1e-12, abs=1e-15)


def test_attention_head_drawing():
    """One head at one position is a small graph: scores s0.., weights a0.. summing to 1, lse, the output."""
    vocabulary = gpt.Vocabulary(gpt.census_names())
    random.seed(0)
    model = gpt.GPT(vocabulary.size)
    root = gpt.attention_head(model, vocabulary, "emma", head=2, component=1)
    from autograd import walk
    labels = {v.label for v in walk(root, leaves=True)}
    assert {"s0", "s4", "a0", "a4", "lse", "q0", "k4.3", "v4.1", "out1"} <= labels
    assert "v4.0" not in labels                                 # only what output 1 depends on
    weights = [v for v in walk(root) if v.label.startswith("a")]
    assert sum(w.data for w in weights) == pytest.approx(1.0)
    source = gpt.draw_attention(model, vocabulary, "emma").source
    assert "logΣexp" in source and "out0" in source
    with pytest.raises(ValueError, match="position"):
        gpt.attention_head(model, vocabulary, "emma", position=5)


# ---- data ---------------------------------------------------------------------------------------------
def test_census_names_are_lower_case_letters():
    """The default data: ~5,500 census names from the names package, lower-cased, 26 letters + BOS."""
    names = gpt.census_names()
    assert len(names) == 5494 and names[0] == "mary"
    assert gpt.Vocabulary(names).size == 27


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\n  \n\t\n", "no usable lines"),
    (b"anna\nbo\tb\n", "line 2"),
    (b"anna\n\xff\xfe\n", "not UTF-8"),
])
def test_bad_data_files_raise_clear_errors(tmp_path, content, message):
    """An empty file, blank lines only, a control character or non-UTF-8 bytes raise DataError saying so."""
    path = tmp_path / "names.txt"
    path.write_bytes(content)
    with pytest.raises(gpt.DataError, match=message):
        gpt.read_names(path)


def test_missing_file_and_foreign_characters():
    """A missing file, and encoding a character outside the file's vocabulary, raise DataError."""
    with pytest.raises(gpt.DataError, match="no such file"):
        gpt.read_names("/nonexistent/names.txt")
    vocabulary = gpt.Vocabulary(["anna", "bob"])
    with pytest.raises(gpt.DataError, match="outside the vocabulary"):
        vocabulary.encode("zoë")


# ---- the demo --------------------------------------------------------------------------------------------
def test_demo_main_writes_history_and_files(tmp_path):
    """main() with a few steps writes history.json (params, a loss per step, ms/step, 20 samples), a PNG, the model."""
    history = gpt.main(steps=3, out_dir=tmp_path, seed=1, quiet=True)
    saved = json.loads((tmp_path / "history.json").read_text(encoding="utf-8"))
    assert saved["params"] == 4192 and len(saved["losses"]) == 3 and saved["ms_per_step"] > 0
    assert len(saved["samples"]) == 20 and saved == json.loads(json.dumps(history))
    assert (tmp_path / "loss_curve.png").read_bytes().startswith(b"\x89PNG")
    assert Path(history["files"]["attention_head"]).exists()
    loaded = nn.load(gpt.GPT(27), tmp_path / "model.json")
    assert len(loaded.parameters()) == 4192


def test_demo_command_line_with_data_file(tmp_path):
    """`python -m demos.gpt --data FILE` trains on that file; bad data exits with a one-line message."""
    data = tmp_path / "names.txt"
    data.write_text("anna\nbob\ncarl\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "demos.gpt", "--steps", "2", "--seed", "3", "--data", str(data),
                          "--temperature", "0.8", "--out", str(tmp_path / "out")],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "vocabulary 8 tokens" in run.stdout and "20 names sampled at temperature 0.8" in run.stdout
    assert json.loads((tmp_path / "out" / "history.json").read_text())["params"] == 8 * 16 * 2 + 16 * 16 + 3072
    data.write_text("\n\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "demos.gpt", "--steps", "2", "--data", str(data), "--quiet",
                          "--out", str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "no usable lines" in run.stderr and "Traceback" not in run.stderr


# ---- the benchmark -----------------------------------------------------------------------------------------
def test_microgpt_style_comparison_computes_the_same_loss():
    """The benchmark's plain binary-op model gives the demo model's loss (same weights, same name)."""
    model, vocabulary = bench.initial_model()
    matrices = bench.plain_matrices(model)
    for name in bench.NAMES[:2]:
        tokens = vocabulary.encode(name)
        assert close(bench.plain_loss(matrices, tokens).data, model.loss(tokens).data)


def test_benchmark_gpt_section_runs_and_agrees():
    """The gpt section at one step, one repetition: both implementations agree; the microgpt-style step
    builds over ten times the nodes, and the report prints nodes per step and the target."""
    from benchmarks import report, suite
    config = suite.settings(quick=True, repeats=1, gpt_steps=1, only=["gpt"])
    results = suite.run(config, progress=lambda message: None)
    section = results["workloads"]["gpt"]
    assert not report.disagreements(results)
    nodes = section["nodes_per_step"]
    assert nodes[bench.MICROGPT_STYLE] > 10 * nodes[bench.OURS] > 10_000
    text = "\n".join(report.render(results))
    assert "nodes" in text and "gpt step: microgpt-style" in text
