"""Saving and loading a model's parameters as plain JSON, written atomically and checked on the way back.

The file holds a format name and version, the model's architecture, and every parameter by name:
    {"format": "backprop-lab-model", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.8444218515250481, ...}}
A float is written as its shortest repr, which reads back as the very same float.

`save` writes to a temporary file `.{name}.backprop-lab-{random}.tmp` in the same folder and renames it
over the model file. A process killed mid-write can leave one behind: the next save of that file removes
it (once it is STALE_TEMP_SECONDS old), and the name says which model file it belongs to.
"""
import errno
import json
import math
import os
import pathlib
import re
import secrets
import stat
import time

from .module import Module, checked_state_values

FORMAT = "backprop-lab-model"
VERSION = 1


class ModelFileNotFoundError(FileNotFoundError, ValueError):
    """`load` found no file: catch it as FileNotFoundError or as ValueError, like every other bad file."""


def save(model, path):
    """Write the model to `path` as JSON; returns the path. A crash mid-write leaves any old file intact.

    The JSON goes to a temporary file in the same folder, is flushed and fsync'ed, then renamed over
    `path` (os.replace is atomic), so `path` always holds either the old model or the whole new one.
    A symlink is written through: the file it points to is replaced and the link stays (as torch.save
    does). A file that already exists keeps its permission bits. An empty path, a folder, or a path
    that is not a regular file (a FIFO, a device) raises ValueError and nothing is written.
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
    target = _file_to_replace(path)
    existing_mode = _existing_file_mode(path, target)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(2, "cannot save: the folder does not exist", str(folder))
    started = time.time()
    temporary = folder / f"{_temporary_prefix(target.name)}{secrets.token_hex(6)}.tmp"
    # O_EXCL: never reuse an existing file; mode 0o666 less the umask, like any file the user writes.
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except PermissionError as error:
        raise PermissionError(error.errno, "cannot save: no permission to create a file in this folder",
                              str(folder)) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1, allow_nan=False)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        if existing_mode is not None:
            os.chmod(temporary, existing_mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_folder(folder)
    _remove_stale_temporary_files(folder, target.name, started - STALE_TEMP_SECONDS)
    return path


STALE_TEMP_SECONDS = 60   # a temp file untouched this long belongs to a save that died, not to one running


def _file_to_replace(path):
    """The file a save to `path` replaces: `path` itself, or the file a symlink at `path` leads to."""
    if not os.path.islink(path):
        return path
    target = pathlib.Path(os.path.realpath(path))
    if os.path.islink(target):                                 # realpath stops where the links go round
        raise ValueError(f"cannot save to {str(path)!r}: too many levels of symbolic links (a symlink loop)")
    return target


def _existing_file_mode(path, target):
    """The permission bits of the file at `target`, None if there is none; ValueError if it is no regular file."""
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise _path_error(path, error, "cannot save to") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"cannot save to {str(path)!r}: it is a {_kind(info.st_mode)}, not a file "
                         f"(give the path of a model file)")
    return stat.S_IMODE(info.st_mode)


def _temporary_prefix(name):
    """The start of the name of every temporary file written while saving to the file `name`."""
    return f".{name}.backprop-lab-"


def _remove_stale_temporary_files(folder, name, older_than):
    """Remove temp files of saves to `name` that died (not changed since `older_than`); never raises."""
    pattern = re.compile(re.escape(_temporary_prefix(name)) + r"[0-9a-f]{12}\.tmp")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < older_than:
                os.unlink(entry.path)
        except OSError:                                        # gone already, or not ours to remove
            pass


def load(model, path):
    """Read a file written by `save` into `model` (same architecture); returns the model.

    The whole file is checked before any parameter is set, so on an error the model is unchanged.
    A missing, empty, truncated or non-JSON file, another format, another architecture, or a value
    that is not a finite number raises ValueError; a missing parameter raises KeyError. A FIFO, a
    device, a socket or a folder is refused without being opened for reading (nothing blocks), a
    symlink loop is a ValueError, and a file you may not read a PermissionError; each names the path.
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
    raw = _read_regular_file(path)
    try:
        text = raw.decode("utf-8")
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


def _read_regular_file(path):
    """The bytes of the regular file at `path` (at most MAX_FILE_BYTES).

    A FIFO, a device, a socket or a folder is refused before it is read, and the file is opened
    with O_NONBLOCK, so nothing here waits for a writer. OS errors become errors that name `path`.
    """
    try:
        _check_regular_file(path, os.stat(path))
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ModelFileNotFoundError(2, "no model file here", str(path)) from None
    except OSError as error:
        raise _path_error(path, error, "cannot read") from None
    with os.fdopen(descriptor, "rb") as file:
        _check_regular_file(path, os.fstat(file.fileno()))     # the same file, not one swapped in since
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES} bytes, too large for a model file")
    return raw


def _check_regular_file(path, info):
    """ValueError naming `path` and what it is if `info` (an os.stat result) is not a regular file's."""
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"{path}: is a folder, not a model file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path}: is a {_kind(info.st_mode)}, not a model file")


def _kind(mode):
    """What a file of this st_mode is, in words."""
    kinds = [(stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO (named pipe)"),
             (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")]
    return next((name for test, name in kinds if test(mode)), "special file")


def _path_error(path, error, doing):
    """An OSError from reaching `path` as an error that names `path` and says what went wrong."""
    if isinstance(error, PermissionError):
        return PermissionError(error.errno, f"{doing} the model file: permission denied", str(path))
    if error.errno == errno.ELOOP:
        return ValueError(f"{doing} {str(path)!r}: too many levels of symbolic links (a symlink loop)")
    if error.errno == errno.ENOTDIR:
        return ValueError(f"{doing} {str(path)!r}: a part of the path is a file, not a folder")
    return OSError(error.errno, f"{doing} the model file: {error.strerror}", str(path))


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
    """`path` as a pathlib.Path; TypeError if it is not a path, ValueError if it is empty or ends in a slash."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}")
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text:
        raise ValueError("empty path: give the path of a model file")
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise ValueError(f"{text!r} ends in a path separator, so it names a folder, not a model file")
    return pathlib.Path(text)


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
