"""Saving and loading a model's parameters as plain JSON, written atomically and checked on the way back.

The file holds a format name and version, the model's architecture, and every parameter by name:
    {"format": "backprop-lab-model", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.8444218515250481, ...}}
A float is written as its shortest repr, which reads back as the very same float.
"""
import json
import math
import os
import pathlib
import secrets

from .module import Module, checked_state_values

FORMAT = "backprop-lab-model"
VERSION = 1


class ModelFileNotFoundError(FileNotFoundError, ValueError):
    """`load` found no file: catch it as FileNotFoundError or as ValueError, like every other bad file."""


def save(model, path):
    """Write the model to `path` as JSON; returns the path. A crash mid-write leaves any old file intact.

    The JSON goes to a temporary file in the same folder, is flushed and fsync'ed, then renamed over
    `path` (os.replace is atomic), so `path` always holds either the old model or the whole new one.
    >>> import os, random, tempfile; from nn import MLP, load
    >>> random.seed(0); model = MLP(2, [3, 1]); random.seed(1); copy = MLP(2, [3, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = load(copy, save(model, os.path.join(folder, "model.json")))
    >>> copy([0.5, 0.25]).data == model([0.5, 0.25]).data
    True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save needs an nn.Module, got {type(model).__name__}")
    path = _as_path(path)
    parameters = {}
    for name, parameter in model.named_parameters():
        if not math.isfinite(parameter.data):
            raise ValueError(f"cannot save: parameter {name!r} is {parameter.data!r} (did training diverge?)")
        parameters[name] = parameter.data
    document = {"format": FORMAT, "version": VERSION, "architecture": model.architecture(),
                "parameters": parameters}
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(2, "cannot save: the folder does not exist", str(folder))
    temporary = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # O_EXCL: never reuse an existing file; mode 0o666 less the umask, like any file the user writes.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1, allow_nan=False)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_folder(folder)
    return path


def load(model, path):
    """Read a file written by `save` into `model` (same architecture); returns the model.

    The whole file is checked before any parameter is set, so on an error the model is unchanged.
    A missing, empty, truncated or non-JSON file, another format, another architecture, or a value
    that is not a finite number raises ValueError; a missing parameter raises KeyError.
    >>> from nn import MLP
    >>> load(MLP(2, [1]), "no/such/model.json")
    Traceback (most recent call last):
    ...
    nn.serialization.ModelFileNotFoundError: [Errno 2] no model file here: 'no/such/model.json'
    """
    if not isinstance(model, Module):
        raise TypeError(f"load needs an nn.Module to load into, got {type(model).__name__}")
    path = _as_path(path)
    document = _read_json(path)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a model file (the JSON is a {type(document).__name__}, not an object)")
    for key in ("format", "version", "architecture", "parameters"):
        if key not in document:
            raise ValueError(f"{path}: not a model file (no {key!r} field)")
    if document["format"] != FORMAT:
        raise ValueError(f"{path}: not a model file (format is {document['format']!r}, expected {FORMAT!r})")
    version = document["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ValueError(f"{path}: unsupported format version {version!r} (this code reads version {VERSION})")
    expected = model.architecture()
    found = document["architecture"]
    if found != expected:
        raise ValueError(f"{path}: the file holds a different architecture: {_difference(found, expected)}")
    parameters = document["parameters"]
    if not isinstance(parameters, dict):
        raise ValueError(f"{path}: 'parameters' must be an object of name -> number, "
                         f"got {type(parameters).__name__}")
    named = model.named_parameters()
    try:
        values = checked_state_values(named, parameters, f"this {type(model).__name__}", "the file")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None
    except KeyError as error:
        raise KeyError(f"{path}: {error.args[0]}") from None
    for (_, parameter), value in zip(named, values):           # all checked: now set them all
        parameter.data = value
    return model


MAX_FILE_BYTES = 64 * 2 ** 20   # far above any model this scalar engine can train; refuse, don't read, beyond


def _read_json(path):
    """The parsed JSON in `path`; ValueError saying what is wrong for a missing, empty or broken file."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError(f"{path}: larger than {MAX_FILE_BYTES} bytes, too large for a model file")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ModelFileNotFoundError(2, "no model file here", str(path)) from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not a model file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a model file (not UTF-8 text: {error.reason} at byte {error.start})") from None
    if not text.strip():
        raise ValueError(f"{path}: the model file is empty")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_reject_duplicate_keys)
    except RecursionError:
        raise ValueError(f"{path}: not a model file (JSON nested too deeply)") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON, truncated or corrupt? ({error.msg}: line {error.lineno}, "
                         f"column {error.colno})") from None
    except ValueError as error:                                # NaN/Infinity, or an absurdly long number
        raise ValueError(f"{path}: not a model file ({error})") from None


def _reject_duplicate_keys(pairs):
    """A JSON object as a dict, refusing a key given twice (json would silently keep the last)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {duplicate!r} appears more than once")
    return document


def _reject_constant(name):
    """JSON has no NaN or Infinity; Python's json would read them, a model file must not hold them."""
    raise ValueError(f"{name} is not a valid parameter value")


def _difference(found, expected):
    """Which architecture fields differ, in words."""
    if not isinstance(found, dict):
        return f"expected {expected}, got {found!r}"
    keys = list(expected) + [key for key in found if key not in expected]
    parts = [f"{key} is {found.get(key, '(missing)')!r} in the file but {expected.get(key, '(none)')!r} "
             f"in the model" for key in keys if found.get(key) != expected.get(key)]
    return "; ".join(parts)


def _as_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}")
    return pathlib.Path(path)


def _sync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
