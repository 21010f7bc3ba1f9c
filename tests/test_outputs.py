"""Writing results: atomic files and early, clear errors for unwritable places."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from matplotlib.figure import Figure

from edsim.errors import OutputError
from edsim.io import ensure_writable_dir, save_figure, write_trajectory


def trajectory() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [0, 1],
            "year": [2011, 2012],
            "ks2_gap_index": [3.3, 3.2],
            "policy_response": ["", "x"],
        }
    )


def leftovers(directory: Path) -> list[str]:
    return [
        p.name for p in directory.iterdir() if p.name.endswith(".tmp") or "write-test" in p.name
    ]


def test_write_trajectory_creates_dir_and_both_files(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    paths = write_trajectory(trajectory(), out, "trajectory")
    assert paths == {"parquet": out / "trajectory.parquet", "csv": out / "trajectory.csv"}
    assert pd.read_parquet(paths["parquet"]).equals(trajectory())
    assert pd.read_csv(paths["csv"], keep_default_na=False).equals(trajectory())
    assert leftovers(out) == []


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path: Path) -> None:
    write_trajectory(trajectory(), tmp_path, "trajectory")
    before = (tmp_path / "trajectory.parquet").read_bytes()
    unwritable = pd.DataFrame({"a": [object()]})  # pyarrow cannot store arbitrary objects
    with pytest.raises(pa.ArrowException):
        write_trajectory(unwritable, tmp_path, "trajectory")
    assert (tmp_path / "trajectory.parquet").read_bytes() == before
    assert leftovers(tmp_path) == []


def test_out_dir_under_a_file_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match=f"cannot create output directory {blocker / 'sub'}: "):
        ensure_writable_dir(blocker / "sub")
    with pytest.raises(OutputError, match="a file with that name exists"):
        ensure_writable_dir(blocker)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_dir_is_an_output_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(OutputError, match=f"cannot write to output directory {locked}: "):
            ensure_writable_dir(locked)
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(("name", "magic"), [("fig.png", b"\x89PNG"), ("fig.svg", b"<?xml")])
def test_save_figure_format_follows_extension(tmp_path: Path, name: str, magic: bytes) -> None:
    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    path = save_figure(fig, tmp_path / "figs" / name)
    assert path.read_bytes().startswith(magic)
    assert leftovers(path.parent) == []
