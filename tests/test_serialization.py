"""Tests of nn.save / nn.load: exact JSON round trip, atomic writes, and every kind of bad file rejected."""
import errno
import json
import os
import pathlib
import random
import re
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

import nn
import nn.serialization
from nn import MLP, load, save

POINTS = [(0.5, -1.25), (3.0, 2.0), (-0.1, 0.7)]


def make_model(seed=0, nouts=(4, 4, 1), activation="relu"):
    random.seed(seed)
    return MLP(2, list(nouts), activation=activation)


def outputs(model):
    return [model(point).data for point in POINTS]


@pytest.fixture
def saved(tmp_path):
    """A model saved to tmp_path/model.json: (model, path)."""
    model = make_model(seed=0)
    return model, save(model, tmp_path / "model.json")


def leftovers(folder):
    """Files in `folder` other than model.json (a temp file left behind would show here)."""
    return sorted(p.name for p in pathlib.Path(folder).iterdir() if p.name != "model.json")


# ---- the round trip ---------------------------------------------------------------------------------
def test_round_trip_is_bit_identical(saved):
    """A different model loaded from the file has exactly the saved parameters and outputs (==, not approx)."""
    model, path = saved
    other = make_model(seed=123)
    assert other.state_dict() != model.state_dict()
    assert load(other, path) is other
    assert other.state_dict() == model.state_dict()
    assert outputs(other) == outputs(model)


def test_file_is_plain_json_with_version_architecture_and_parameters(saved):
    """The file is JSON: format name, version 1, the architecture, and every parameter by name."""
    model, path = saved
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "backprop-lab-model" and document["version"] == 1
    assert document["architecture"] == {"type": "MLP", "nin": 2, "nouts": [4, 4, 1], "activation": "relu",
                                        "output_activation": "linear"}
    assert document["parameters"] == model.state_dict()


def test_tricky_floats_round_trip(tmp_path):
    """Subnormal, huge, negative zero and many-digit floats come back exactly."""
    model = make_model()
    tricky = [5e-324, -1.7976931348623157e308, -0.0, 0.1 + 0.2, 1 / 3, 123456789.123456789]
    for parameter, value in zip(model.parameters(), tricky):
        parameter.data = value
    path = save(model, tmp_path / "model.json")
    other = load(make_model(seed=5), path)
    assert [p.data for p in other.parameters()][:len(tricky)] == tricky
    assert str(other.parameters()[2].data) == "-0.0"


def test_save_overwrites_and_accepts_str_paths(saved):
    """Saving again over the same path (given as a str) replaces the file; no temp file stays."""
    model, path = saved
    for p in model.parameters():
        p.data *= 2.0
    save(model, str(path))
    assert load(make_model(seed=7), path).state_dict() == model.state_dict()
    assert leftovers(path.parent) == []


def test_saved_file_gets_ordinary_permissions(saved):
    """The saved file has the mode any new file gets in that folder (not a temp file's private 0600)."""
    _, path = saved
    plain = path.parent / "plain.txt"
    plain.write_text("x")
    assert path.stat().st_mode == plain.stat().st_mode
    plain.unlink()


def test_no_pickle_in_nn():
    """The nn package never uses pickle (only JSON)."""
    for source in pathlib.Path(nn.__file__).parent.glob("*.py"):
        assert "pickle" not in source.read_text(encoding="utf-8").replace("No pickle", ""), source.name


# ---- atomic writes ----------------------------------------------------------------------------------
def test_crash_while_writing_leaves_old_file_and_no_temp_file(saved, monkeypatch):
    """If json.dump fails halfway through, the old file is byte-for-byte unchanged and no temp file is left."""
    model, path = saved
    old_bytes = path.read_bytes()

    def half_then_crash(document, file, **options):
        file.write(json.dumps(document)[:40])
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(nn.serialization.json, "dump", half_then_crash)
    for p in model.parameters():
        p.data += 1.0
    with pytest.raises(OSError, match="simulated"):
        save(model, path)
    assert path.read_bytes() == old_bytes
    assert leftovers(path.parent) == []


def test_crash_at_rename_leaves_old_file_and_no_temp_file(saved, monkeypatch):
    """If os.replace fails, the old file is unchanged and the finished temp file is removed."""
    model, path = saved
    old_bytes = path.read_bytes()

    def failing_replace(source, destination):
        raise OSError("rename failed (simulated)")

    monkeypatch.setattr(nn.serialization.os, "replace", failing_replace)
    for p in model.parameters():
        p.data += 1.0
    with pytest.raises(OSError, match="simulated"):
        save(model, path)
    assert path.read_bytes() == old_bytes
    assert leftovers(path.parent) == []


def test_save_refuses_nan_and_keeps_old_file(saved):
    """A NaN or inf parameter (a diverged model) is refused by name; the old file stays."""
    model, path = saved
    old_bytes = path.read_bytes()
    model.layers[1].neurons[2].b.data = float("nan")
    with pytest.raises(ValueError, match=r"layers\.1\.neurons\.2\.b"):
        save(model, path)
    model.layers[1].neurons[2].b.data = float("-inf")
    with pytest.raises(ValueError, match="inf"):
        save(model, path)
    assert path.read_bytes() == old_bytes
    assert leftovers(path.parent) == []


def test_save_and_load_check_argument_types(saved):
    """A non-Module model or a non-path path raises TypeError."""
    model, path = saved
    with pytest.raises(TypeError, match="Module"):
        save({"w": 1.0}, path)
    with pytest.raises(TypeError, match="path"):
        save(model, 42)
    with pytest.raises(TypeError, match="Module"):
        load([1.0], path)


# ---- bad files: each raises, names the problem, and leaves the model untouched ---------------------------
def edit_document(change):
    """A file-writer that saves a valid model's JSON after `change(document)`."""
    def write(path):
        document = json.loads(save(make_model(seed=0), path).read_text(encoding="utf-8"))
        change(document)
        path.write_text(json.dumps(document), encoding="utf-8")
    return write


def set_parameter(value):
    def change(document):
        document["parameters"]["layers.2.neurons.0.b"] = value
    return change


def write_bytes(data):
    return lambda path: path.write_bytes(data)


def truncate(path):
    text = save(make_model(seed=0), path).read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def write_raw_value(raw):
    """Save, then put `raw` (JSON text such as NaN) in place of one parameter's number."""
    def write(path):
        document = json.loads(save(make_model(seed=0), path).read_text(encoding="utf-8"))
        document["parameters"]["layers.2.neurons.0.b"] = "@@"
        path.write_text(json.dumps(document).replace('"@@"', raw), encoding="utf-8")
    return write


BAD_FILES = {
    "missing": (lambda path: None, ValueError, "no model file"),
    "empty": (write_bytes(b""), ValueError, "empty"),
    "blank": (write_bytes(b"  \n"), ValueError, "empty"),
    "truncated": (truncate, ValueError, "not valid JSON"),
    "not JSON": (write_bytes(b"weights: 1, 2, 3"), ValueError, "not valid JSON"),
    "binary": (write_bytes(b"\x80\x81\xfe\xff"), ValueError, "UTF-8"),
    "JSON list": (write_bytes(b"[1, 2, 3]"), ValueError, "list"),
    "other format": (edit_document(lambda d: d.update(format="something-else")), ValueError, "format"),
    "no parameters field": (edit_document(lambda d: d.pop("parameters")), ValueError, "'parameters'"),
    "future version": (edit_document(lambda d: d.update(version=2)), ValueError, "version 2"),
    "bool version": (edit_document(lambda d: d.update(version=True)), ValueError, "version True"),
    "other sizes": (edit_document(lambda d: d["architecture"].update(nouts=[4, 1])), ValueError, "nouts"),
    "other activation": (edit_document(lambda d: d["architecture"].update(activation="tanh")), ValueError,
                         "activation is 'tanh' in the file but 'relu'"),
    "architecture not an object": (edit_document(lambda d: d.update(architecture="MLP")), ValueError,
                                   "architecture"),
    "parameters not an object": (edit_document(lambda d: d.update(parameters=[1.0, 2.0])), ValueError,
                                 "'parameters' must be an object"),
    "missing parameter": (edit_document(lambda d: d["parameters"].pop("layers.0.neurons.3.w.1")), KeyError,
                          r"layers\.0\.neurons\.3\.w\.1"),
    "extra parameter": (edit_document(lambda d: d["parameters"].update({"layers.5.neurons.0.b": 0.0})),
                        ValueError, r"layers\.5"),
    "string value": (edit_document(set_parameter("0.5")), ValueError, "real number, got str"),
    "bool value": (edit_document(set_parameter(True)), ValueError, "real number, got bool"),
    "null value": (edit_document(set_parameter(None)), ValueError, "real number, got NoneType"),
    "list value": (edit_document(set_parameter([0.5])), ValueError, "real number, got list"),
    "NaN": (write_raw_value("NaN"), ValueError, "NaN"),
    "Infinity": (write_raw_value("-Infinity"), ValueError, "Infinity"),
    "overflowing number": (write_raw_value("1e999"), ValueError, "finite"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_raises_and_leaves_model_untouched(tmp_path, name):
    """Each broken file raises ValueError (KeyError for a missing parameter) saying what is wrong; no change."""
    write, error, words = BAD_FILES[name]
    path = tmp_path / "model.json"
    write(path)
    model = make_model(seed=42)
    before = model.state_dict()
    with pytest.raises(error, match=words):
        load(model, path)
    assert model.state_dict() == before


def test_missing_file_is_also_a_file_not_found_error(tmp_path):
    """A missing file can be caught as FileNotFoundError as well as ValueError."""
    with pytest.raises(FileNotFoundError):
        load(make_model(), tmp_path / "nowhere.json")


def test_error_messages_name_the_file(tmp_path):
    """The message of a bad file names its path."""
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.json"):
        load(make_model(), path)


def test_a_folder_is_not_a_model_file(tmp_path):
    """Loading from a folder raises ValueError, not an obscure OSError."""
    with pytest.raises(ValueError, match="folder"):
        load(make_model(), tmp_path)


def test_hand_written_int_parameters_are_accepted(tmp_path):
    """Whole numbers written without a decimal point (e.g. by hand) load as floats."""
    edit_document(set_parameter(2))(tmp_path / "model.json")
    model = load(make_model(seed=3), tmp_path / "model.json")
    assert model.layers[2].neurons[0].b.data == 2.0
    assert type(model.layers[2].neurons[0].b.data) is float


def test_loaded_model_keeps_its_parameter_objects(saved):
    """load sets .data in place: an optimizer built before loading still holds the model's parameters."""
    model, path = saved
    other = make_model(seed=9)
    optimizer = nn.SGD(other.parameters(), lr=0.1)
    load(other, path)
    assert [p.data for p in optimizer.params] == [p.data for p in model.parameters()]
    assert os.path.exists(path)


def test_deeply_nested_json_is_a_value_error(tmp_path):
    """A file of 100,000 nested brackets is refused with ValueError, not a RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        load(MLP(2, [3, 1]), path)


def test_duplicate_keys_are_refused(tmp_path):
    """A key given twice in the file is an error, not silently the last one."""
    path = tmp_path / "dup.json"
    path.write_text('{"format": "x", "format": "y"}')
    with pytest.raises(ValueError, match="appears more than once"):
        load(MLP(2, [3, 1]), path)


def test_oversized_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    """A file over the size cap is refused with ValueError."""
    monkeypatch.setattr(nn.serialization, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(" " * 200 + "{}")
    with pytest.raises(ValueError, match="too large"):
        load(MLP(2, [3, 1]), path)


def test_saving_into_a_missing_folder_names_that_folder(tmp_path):
    """save() into a folder that does not exist says which folder, and writes nothing."""
    with pytest.raises(FileNotFoundError) as raised:
        save(MLP(2, [3, 1]), tmp_path / "nope" / "model.json")
    assert raised.value.filename == str(tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


# ---- symlinks, permissions, odd paths ---------------------------------------------------------------------
def test_save_writes_through_a_symlink_and_keeps_the_link(saved, tmp_path):
    """Saving to a symlink replaces the file it points to (as torch.save does); the link stays a link."""
    model, target = saved
    link = tmp_path / "latest.json"
    link.symlink_to(target.name)                               # a relative link, as users make them
    for p in model.parameters():
        p.data += 1.0
    save(model, link)
    assert link.is_symlink() and os.readlink(link) == target.name
    assert load(make_model(seed=8), target).state_dict() == model.state_dict()
    assert load(make_model(seed=8), link).state_dict() == model.state_dict()
    assert leftovers(tmp_path) == ["latest.json"]


def test_save_through_a_chain_of_symlinks_into_another_folder(tmp_path):
    """A link to a link to a file in another folder: that file gets the model, and its folder the temp file."""
    (tmp_path / "store").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "store" / "model.json"
    target.write_text("old")
    (tmp_path / "links" / "middle.json").symlink_to(target)
    (tmp_path / "links" / "first.json").symlink_to(tmp_path / "links" / "middle.json")
    model = make_model()
    save(model, tmp_path / "links" / "first.json")
    assert load(make_model(seed=8), target).state_dict() == model.state_dict()
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == ["first.json", "middle.json"]
    assert all(p.is_symlink() for p in (tmp_path / "links").iterdir())
    assert leftovers(tmp_path / "store") == []


def test_save_to_a_dangling_symlink_creates_its_target(tmp_path):
    """A link to a file that does not exist yet: save creates that file, as opening the link for writing would."""
    link = tmp_path / "link.json"
    link.symlink_to("model.json")
    save(make_model(), link)
    assert link.is_symlink() and (tmp_path / "model.json").is_file()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_save_keeps_the_permission_bits_of_the_file_it_replaces(saved, mode):
    """A model file made private (0600) or read-only stays so after another save."""
    model, path = saved
    path.chmod(mode)
    save(model, path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_save_through_a_symlink_keeps_the_targets_mode(saved, tmp_path):
    """The mode kept is the target's, not the link's."""
    model, target = saved
    target.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save(model, link)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and link.is_symlink()


@pytest.mark.parametrize("path", ["", ".", "..", "/"])
def test_save_to_an_empty_or_folder_path_is_a_value_error(path):
    """'' or a folder as the path is a clear ValueError naming it, and nothing is written."""
    with pytest.raises(ValueError, match="empty path" if path == "" else "folder"):
        save(make_model(), path)


def test_save_to_a_folder_or_a_path_ending_in_a_slash_is_a_value_error(tmp_path):
    """An existing folder (through a link too) or a name with a trailing slash is refused; nothing is written."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "folder")
    for path in (tmp_path / "folder", tmp_path / "link", str(tmp_path / "model.json") + os.sep):
        with pytest.raises(ValueError, match="folder"):
            save(make_model(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "link"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_save_over_a_fifo_or_device_is_refused(tmp_path):
    """A path that is a FIFO or a device is not replaced by a model file: ValueError naming what it is."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        save(make_model(), fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(ValueError, match="device"):
        save(make_model(), "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_save_into_a_symlink_loop_names_the_path(tmp_path):
    """A link that points at itself is a ValueError naming the path (not a raw OSError), and stays as it was."""
    loop = tmp_path / "loop.json"
    loop.symlink_to("loop.json")
    with pytest.raises(ValueError, match=r"loop\.json.*symlink"):
        save(make_model(), loop)
    assert os.readlink(loop) == "loop.json"


# ---- temporary files ----------------------------------------------------------------------------------------
def temp_files(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir() if p.name.endswith(".tmp"))


def test_the_temporary_file_is_named_after_the_model_file(saved, monkeypatch):
    """While saving, the data sits in '.model.json.backprop-lab-<random>.tmp' next to the model file."""
    model, path = saved
    renamed = []
    real_replace = os.replace

    def recording_replace(source, destination):
        renamed.append((pathlib.Path(source), pathlib.Path(destination)))
        real_replace(source, destination)

    monkeypatch.setattr(nn.serialization.os, "replace", recording_replace)
    save(model, path)
    (source, destination), = renamed
    assert destination == path and source.parent == path.parent
    assert re.fullmatch(r"\.model\.json\.backprop-lab-[0-9a-f]{12}\.tmp", source.name)


def test_stale_temp_files_of_the_same_model_are_removed_on_the_next_save(saved):
    """Temp files a killed save left behind (old enough) go at the next save of that file; nothing else does."""
    model, path = saved
    folder = path.parent
    stale = [folder / ".model.json.backprop-lab-0123456789ab.tmp", folder / ".model.json.backprop-lab-a1b2c3d4e5f6.tmp"]
    kept = [folder / ".other.json.backprop-lab-0123456789ab.tmp",   # another model's
            folder / ".model.json.backprop-lab-0123.tmp",            # not the exact pattern
            folder / "model.json.backprop-lab-0123456789ab.tmp",     # not hidden
            folder / ".model.json.backprop-lab-fresh0000000.tmp",    # not hex
            folder / ".model.json.bak"]
    an_hour_ago = time.time() - 3600
    for leftover in stale + kept:
        leftover.write_text("{half a model")
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    just_now = folder / ".model.json.backprop-lab-cccccccccccc.tmp"  # another save of it may be writing now
    just_now.write_text("{")
    save(model, path)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept) and just_now.exists()
    assert load(make_model(seed=8), path).state_dict() == model.state_dict()


def test_a_killed_save_leaves_only_a_findable_temp_file(tmp_path):
    """A process killed while writing leaves the old file intact and one temp file named after it; the next
    save (once that file is old) removes it."""
    path = save(make_model(seed=0), tmp_path / "model.json")
    old_bytes = path.read_bytes()
    script = ("import json, os, random, sys\n"
              "import nn, nn.serialization\n"
              "def die_halfway(document, file, **options):\n"
              "    file.write(json.dumps(document)[:40]); file.flush(); os._exit(9)\n"
              "nn.serialization.json.dump = die_halfway\n"
              "random.seed(1); nn.save(nn.MLP(2, [4, 4, 1]), sys.argv[1])\n")
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert path.read_bytes() == old_bytes
    (left,) = temp_files(tmp_path)
    assert re.fullmatch(r"\.model\.json\.backprop-lab-[0-9a-f]{12}\.tmp", left)
    long_ago = time.time() - 3600
    os.utime(tmp_path / left, (long_ago, long_ago))
    save(make_model(seed=0), path)
    assert temp_files(tmp_path) == []


# ---- load: only regular files, never blocking, OS errors named ----------------------------------------------
def load_in_thread(path, timeout=10.0):
    """load(make_model(), path) in a thread: (finished in time, the exception raised or None)."""
    outcome = []

    def run():
        try:
            load(make_model(), path)
            outcome.append(None)
        except BaseException as error:                         # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    return (not thread.is_alive()), (outcome[0] if outcome else None)


def test_load_of_a_fifo_is_refused_without_blocking(tmp_path):
    """Loading from a FIFO raises ValueError naming the path and 'FIFO' at once, instead of waiting for a writer."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    finished, error = load_in_thread(fifo)
    if not finished:                                           # unblock the stuck reader before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert finished, "load blocked on a FIFO"
    assert isinstance(error, ValueError) and "FIFO" in str(error) and "pipe.json" in str(error)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_load_of_a_device_is_refused(device):
    """A character device is not a model file: ValueError naming the path and the kind, read nothing."""
    finished, error = load_in_thread(device)
    assert finished
    assert isinstance(error, ValueError) and device in str(error) and "character device" in str(error)


def test_load_of_a_socket_is_refused(tmp_path):
    """A Unix socket is not a model file: ValueError naming it."""
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(ValueError, match="socket"):
            load(make_model(), path)
    finally:
        server.close()


def test_load_through_a_symlink_loop_names_the_path(tmp_path):
    """A symlink loop is a ValueError naming the path and the loop (not a bare OSError)."""
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    with pytest.raises(ValueError, match=r"a\.json.*symlink"):
        load(make_model(), tmp_path / "a.json")


def test_load_without_permission_names_the_path(saved, monkeypatch):
    """A file that cannot be opened for lack of permission raises PermissionError naming the path."""
    model, path = saved
    real_open = os.open

    def denied(file, flags, *args, **kwargs):
        if pathlib.Path(file) == path:
            raise PermissionError(errno.EACCES, "Permission denied")     # no filename, as some calls give
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(nn.serialization.os, "open", denied)
    before = model.state_dict()
    with pytest.raises(PermissionError, match="model.json") as raised:
        load(model, path)
    assert raised.value.filename == str(path)
    assert model.state_dict() == before


def test_load_through_a_file_used_as_a_folder_names_the_path(saved):
    """'model.json/x' (a file where a folder should be) is a ValueError naming the path."""
    _, path = saved
    with pytest.raises(ValueError, match=r"model\.json/x"):
        load(make_model(), path / "x")
