"""Where the shipped scenarios and experiments live: package data inside :mod:`edsim`.

They are installed with the package (``src/edsim/data/scenarios/*.yaml`` and
``src/edsim/data/experiments/*.yaml``, listed in ``pyproject.toml``'s package data) and found
with :mod:`importlib.resources`, so ``extends: small``, ``edsim run small`` and
``edsim batch quickstart`` work the same from a source checkout, an editable install and an
installed wheel, from any directory. A clone also reaches them as ``scenarios/*.yaml`` and
``experiments/*.yaml`` at the repository root (committed symlinks), the paths the docs use.

This module imports only the standard library, so the command line can name shipped files in
its help without loading the model.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Literal

__all__ = ["ShippedKind", "shipped_dir", "shipped_file", "shipped_names", "suggestion"]

#: The two kinds of shipped file, each a folder of ``<name>.yaml`` under ``edsim/data``.
ShippedKind = Literal["scenarios", "experiments"]


def shipped_dir(kind: ShippedKind) -> Path:
    """The folder holding the shipped files of one kind.

    ``importlib.resources`` finds the package's data wherever it is installed; pip always
    installs a wheel as plain files, so the folder is a real directory that the YAML loader
    (which reads paths, and names them in error messages) can open.
    """
    return Path(str(resources.files("edsim").joinpath("data", kind)))


def shipped_names(kind: ShippedKind) -> list[str]:
    """The names (file stems) of the shipped files of one kind, sorted."""
    return sorted(p.stem for p in shipped_dir(kind).glob("*.yaml"))


def shipped_file(kind: ShippedKind, name: str) -> Path | None:
    """The shipped file a bare name means (``small``, ``small.yaml``), or None.

    Only a bare name qualifies: anything with a folder in it (``./small``, ``a/small.yaml``) is
    a path the user meant literally.
    """
    if not name or Path(name).name != name or name in {".", ".."}:
        return None
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    path = shipped_dir(kind) / f"{stem}.yaml"
    try:
        return path if path.is_file() else None
    except (OSError, ValueError):  # a name the OS cannot look up (too long, a NUL byte)
        return None


def suggestion(kind: ShippedKind, name: str) -> str:
    """``did you mean 'x'?`` for the closest shipped name, else the list of shipped names."""
    names = shipped_names(kind)
    stem = Path(name).name.removesuffix(".yaml").removesuffix(".yml")
    close = difflib.get_close_matches(stem, names, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"shipped {kind}: {', '.join(names)}"
