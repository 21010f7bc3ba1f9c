"""The one exception tree for everything a user can cause.

::

    EdsimError                      base: the CLI prints it and exits non-zero
    ├── ScenarioError               a scenario is wrong (file, line, key, what is allowed)
    ├── ExperimentError             an experiment is wrong or cannot run (file, line, key)
    │   └── CalibrationError        a calibration file is wrong, or a calibration cannot run
    ├── OutputError                 results cannot be written where asked
    ├── ServeError                  the browser app cannot listen where asked (port, host)
    └── MissingExtraError           an optional dependency is not installed (names the extra)

Library code raises these for problems the user can fix; anything else escaping is a bug in
edsim. Every message says where the problem is and what would be accepted, because the person
reading it is usually editing a YAML file, not reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CalibrationError",
    "EdsimError",
    "ExperimentError",
    "MissingExtraError",
    "OutputError",
    "ScenarioError",
    "ScenarioProblem",
    "ServeError",
]


class EdsimError(Exception):
    """Base of every error a user can cause and fix."""


@dataclass(frozen=True)
class ScenarioProblem:
    """One problem found in a scenario, located as precisely as the input allows.

    Attributes:
        message: What is wrong and what is allowed, in plain words.
        file: The file the value came from, if it came from a file.
        line: 1-based line number, if known.
        column: 1-based column number, if known.
        key: Dotted key path (``population.disadvantaged_share``), if the problem has one.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None

    def location(self) -> str:
        """``file:line:column`` as far as it is known (empty string when nothing is)."""
        parts = [self.file or "<scenario>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return f"{self.location()}:{key} {self.message}"


class ScenarioError(EdsimError):
    """A scenario could not be loaded or validated; carries every problem found."""

    def __init__(self, problems: list[ScenarioProblem] | ScenarioProblem | str) -> None:
        if isinstance(problems, str):
            problems = [ScenarioProblem(problems)]
        elif isinstance(problems, ScenarioProblem):
            problems = [problems]
        self.problems: list[ScenarioProblem] = problems
        count = len(problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        body = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid scenario ({head}):\n{body}")


class ExperimentError(EdsimError):
    """An experiment definition is invalid, or an experiment cannot be run or resumed.

    Problems in the definition carry their file, line and key (as :class:`ScenarioProblem`
    does for scenarios); other failures (an unreachable scheduler, results that belong to a
    different experiment) carry a sentence saying what to do.
    """

    #: What the located problems are problems in, for the first line of the message.
    what = "experiment"

    def __init__(self, problems: list[ScenarioProblem] | ScenarioProblem | str) -> None:
        if isinstance(problems, str):
            self.problems: list[ScenarioProblem] = [ScenarioProblem(problems)]
            super().__init__(problems)
            return
        if isinstance(problems, ScenarioProblem):
            problems = [problems]
        self.problems = problems
        count = len(problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        body = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid {self.what} ({head}):\n{body}")


class CalibrationError(ExperimentError):
    """A calibration file is invalid, or a calibration cannot be run, resumed or read back.

    A kind of :class:`ExperimentError` (a calibration is an experiment of a kind, and the
    command line treats both as a usage mistake, exit status 2); problems in the file carry
    their file, line and key.
    """

    what = "calibration"


class OutputError(EdsimError):
    """Results cannot be written to the requested place."""


class ServeError(EdsimError):
    """``edsim viz`` cannot listen on the requested address (port in use, unknown host).

    A usage mistake, like a bad option value: the command line exits 2 without starting the
    server.
    """


class MissingExtraError(EdsimError, ImportError):
    """An optional dependency is missing; the message names the extra that provides it."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the '{package}' package: install it with "
            f"pip install 'edsim[{extra}]'"
        )
        self.package = package
        self.extra = extra
