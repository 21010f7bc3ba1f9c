"""Versions of edsim and what it runs on, for ``--version`` and for results manifests."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from edsim import __version__

__all__ = ["installed_version", "versions"]


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, or ``"not installed"``."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """edsim, Mesa, NumPy, pandas, Python and the platform: what a result depends on."""
    return {
        "edsim": __version__,
        "mesa": installed_version("mesa"),
        "numpy": installed_version("numpy"),
        "pandas": installed_version("pandas"),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
