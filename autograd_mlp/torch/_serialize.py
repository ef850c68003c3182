"""``torch.save`` / ``torch.load`` in a format that cannot run code when it is read.

PyTorch pickles, and unpickling a file can run any code in it. Here a file
is a zip (.npz) of plain arrays, read with ``allow_pickle=False``, plus one
JSON member describing the structure (dicts, lists, numbers, strings,
None) and which array goes where. What goes in: a model's or an
optimizer's ``state_dict()``, or any nesting of those kinds of values;
anything else (a whole module, a function) is refused with an error that
says to save its ``state_dict()``.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from ..files import atomic_write
from ..tensor import Tensor as NativeTensor

__all__ = ["save", "load"]

_STRUCTURE = "__structure__"
_FORMAT = "autograd_mlp.torch.save/1"


def save(obj: Any, f: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists of tensors, arrays, numbers, strings) to ``f``."""
    arrays: dict[str, np.ndarray] = {}
    structure = {"format": _FORMAT, "value": _encode(obj, arrays, "obj")}
    # ZipFile on the open file + write_array is what np.savez does,
    # without savez's habit of adding ".npz" to the name.
    with atomic_write(f) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
        text = json.dumps(structure).encode("utf-8")
        with archive.open(f"{_STRUCTURE}.npy", "w") as member:
            np.lib.format.write_array(member, np.frombuffer(text, dtype=np.uint8), allow_pickle=False)


def load(f: str | os.PathLike[str], map_location: Any = None, weights_only: bool = True, **kwargs: Any) -> Any:
    """Read what `save` wrote: tensors and arrays come back as tensors, dicts as (ordered) dicts.

    ``map_location`` ('cpu' or None) and ``weights_only`` are accepted for
    PyTorch's scripts; loading never runs code, whatever ``weights_only`` says.
    """
    if map_location is not None and str(map_location) != "cpu":
        raise RuntimeError(f"torch.load: map_location={map_location!r}: this library computes on the CPU only")
    if kwargs:
        raise TypeError(f"torch.load: unexpected arguments {sorted(kwargs)}")
    path = os.fspath(f)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"torch.load: no file at {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"torch.load: {path!r} is not a file written by autograd_mlp.torch.save "
            "(files written by PyTorch are pickles, which this library never reads: "
            "they can run code; convert them with PyTorch to .npz, see docs/from-pytorch.md)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _STRUCTURE not in archive.files:
                raise ValueError("it has no structure member")
            structure = json.loads(bytes(archive[_STRUCTURE]).decode("utf-8"))
            if structure.get("format") != _FORMAT:
                raise ValueError(f"unknown format {structure.get('format')!r}")
            arrays = {name: archive[name] for name in archive.files if name != _STRUCTURE}
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise ValueError(f"torch.load: cannot read {path!r}: not a valid autograd_mlp.torch.save file ({error})") from error
    return _decode(structure["value"], arrays)


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if isinstance(obj, (NativeTensor, np.ndarray, np.generic)):
        array = np.asarray(obj.data if isinstance(obj, NativeTensor) else obj)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"torch.save: {where} holds an array of dtype {array.dtype}; only numbers can be saved")
        name = f"a{len(arrays)}"
        arrays[name] = array
        return {"__array__": name}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        keys = list(obj)
        bad = [k for k in keys if not isinstance(k, (str, int))]
        if bad:
            raise TypeError(f"torch.save: {where} has keys that are not strings or ints: {bad[:3]!r}")
        return {
            "__dict__": [[k, _encode(v, arrays, f"{where}[{k!r}]")] for k, v in obj.items()],
            "ordered": isinstance(obj, OrderedDict),
        }
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"__list__": items, "tuple": isinstance(obj, tuple)}
    hint = " (save its state_dict(), then load_state_dict() it into a new one)" if hasattr(obj, "state_dict") else ""
    raise TypeError(
        f"torch.save: cannot save {where} of type {type(obj).__name__}{hint}; "
        "only tensors, arrays, numbers, strings, None and dicts/lists of them can be saved (never pickle)"
    )


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        return node
    if "__array__" in node:
        return NativeTensor(arrays[node["__array__"]])  # arrays come back as tensors, as in PyTorch
    if "__dict__" in node:
        pairs = [(k, _decode(v, arrays)) for k, v in node["__dict__"]]
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    if "__list__" in node:
        items = [_decode(v, arrays) for v in node["__list__"]]
        return tuple(items) if node.get("tuple") else items
    raise ValueError(f"unknown entry {sorted(node)}")

