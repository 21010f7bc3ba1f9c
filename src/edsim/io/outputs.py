"""Write results atomically, and fail early and clearly when they cannot be written.

A run can take minutes, so the output directory is checked *before* the model runs
(:func:`ensure_writable_dir`) rather than discovering an unwritable path afterwards. Each file is
written to a temporary name in the same directory and moved into place with :func:`os.replace`,
so an interrupted run never leaves a truncated CSV or Parquet file that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from edsim.errors import OutputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ensure_writable_dir", "save_figure", "write_atomically", "write_trajectory"]


def ensure_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` if needed and prove a file can be written there.

    Args:
        path: The output directory.

    Returns:
        The directory as a :class:`~pathlib.Path`.

    Raises:
        OutputError: The directory cannot be created or written to; names it and the OS reason.
    """
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(
            f"cannot create output directory {directory}: a file with that name exists"
        ) from None
    except OSError as exc:
        raise OutputError(f"cannot create output directory {directory}: {_reason(exc)}") from None
    probe = directory / f".edsim-write-test-{uuid.uuid4().hex}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to output directory {directory}: {_reason(exc)}") from None
    return directory


def write_trajectory(
    df: pd.DataFrame, out_dir: str | os.PathLike[str], stem: str
) -> dict[str, Path]:
    """Write a trajectory as ``{stem}.parquet`` (for analysis) and ``{stem}.csv`` (for people).

    Args:
        df: The trajectory, one row per year.
        out_dir: Directory to write into; created if missing.
        stem: File name without extension.

    Returns:
        The written paths, keyed by format (``"parquet"``, ``"csv"``).

    Raises:
        OutputError: The directory or a file cannot be written.
    """
    directory = ensure_writable_dir(out_dir)
    paths = {"parquet": directory / f"{stem}.parquet", "csv": directory / f"{stem}.csv"}
    write_atomically(paths["parquet"], lambda tmp: df.to_parquet(tmp, index=False))
    write_atomically(paths["csv"], lambda tmp: df.to_csv(tmp, index=False))
    return paths


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically; the format follows the file extension.

    Args:
        fig: The figure.
        path: Target file (``.png``, ``.pdf``, ``.svg``, ...); its directory is created.
        dpi: Resolution for raster formats.

    Returns:
        The written path.

    Raises:
        OutputError: The file cannot be written.
    """
    target = Path(path)
    ensure_writable_dir(target.parent)
    fmt = target.suffix.lstrip(".").lower() or "png"
    write_atomically(target, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight"))
    return target


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Run ``write`` on a temporary sibling of ``target``, then move it into place.

    The temporary file lives in the same directory so :func:`os.replace` is an atomic rename,
    and it is created by ``write`` itself so it gets the usual permissions (not mkstemp's 0600).
    Only a regular file is ever replaced: renaming over a device or a named pipe would destroy
    it (run as root, ``--out /dev/null`` would replace the system's ``/dev/null``).

    Raises:
        OutputError: ``target`` is a directory, device or pipe, or cannot be written.
    """
    kind = _not_a_file(target)
    if kind is not None:
        raise OutputError(f"cannot write {target}: it is {kind}, not a file")
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):  # already moved into place, or never created
            tmp.unlink(missing_ok=True)


def _not_a_file(path: Path) -> str | None:
    """What is at ``path`` if it is not a regular file (a directory, device or pipe), else None.

    None too for nothing there, or a path the OS cannot look up: writing then says why.
    """
    try:
        mode = path.lstat().st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket"


def _reason(exc: OSError) -> str:
    """The OS's own words for why a file operation failed."""
    return exc.strerror or str(exc)
