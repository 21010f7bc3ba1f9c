"""What every ``edsim`` command shares: the Typer app, the console, ``--set`` and error handling.

The CLI is a thin layer over the library: it turns user mistakes
(:class:`~edsim.errors.EdsimError`) into a one-screen ``error: ...`` message and an exit code
(2 for a bad scenario, experiment or usage; 1 for other user-fixable problems), never a
traceback. Anything else escaping is a bug and is left loud.

Every module of this package imports only Typer, rich, the standard library and the light
:mod:`edsim.errors` at module level, so that ``edsim --help`` and every command's ``--help`` print
at once; the scenario, model, experiment and plotting stacks are imported inside the commands
that use them (``tests/test_cli_startup.py`` keeps it so).
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
from rich.console import Console

from edsim.errors import EdsimError, ExperimentError, ScenarioError

if TYPE_CHECKING:
    from edsim.scenario import Resolved

__all__ = [
    "SetOption",
    "app",
    "console",
    "print_error",
    "resolve",
    "user_errors",
]


def _hide_flag_types() -> None:
    """Show no value type beside a flag in help: ``--resume``, not ``--resume <bool>``.

    Typer (0.2x) labels every option with its type, flags included, although a flag takes no
    value, so ``<bool>`` after ``--resume`` or ``--help`` reads as if it wanted one. Older Typer
    left flags bare; where its help has no such hook, this does nothing.
    """
    option = getattr(typer.core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if option is None or shown is None or getattr(shown, "hides_flags", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        return shown(self, ctx)

    display_type_rich.hides_flags = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich


_hide_flag_types()

app = typer.Typer(
    name="edsim",
    help="Simulate how England's school system improves when research evidence flows.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Markdown: a docstring's paragraphs are reflowed, and '[default: ...]' in help is text.
    rich_markup_mode="markdown",
)

# soft_wrap: long paths and problem lines stay on one line, so they can be copied and grepped.
console = Console(soft_wrap=True, highlight=False)

# Short examples: help wraps at spaces, and a longer unbroken word is cut at 80 columns.
_SET_HELP = (
    "Change one parameter: KEY=VALUE with a dotted key path and a YAML value, e.g. "
    "truth.heterogeneity=0.2, regime=linkage_exchange, interventions.0.months=3. Repeatable."
)

#: ``--set``, shared by every command that reads one scenario.
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", metavar="KEY=VALUE", help=_SET_HELP, show_default=False),
]

#: ``--metric`` of the commands that analyse an experiment's outcome (sensitivity, discover).
OutcomeMetricOption = Annotated[
    str | None,
    typer.Option(
        "--metric",
        "-m",
        help="The metric [default: the experiment's outcome metric]",
        show_default=False,
    ),
]
#: ``--year`` of the same commands.
OutcomeYearOption = Annotated[
    int | None,
    typer.Option(
        help="Year of the outcome [default: the outcome's, else the final year]",
        show_default=False,
    ),
]


def _version_callback(value: bool) -> None:
    if value:
        from edsim import __version__
        from edsim.versions import installed_version

        typer.echo(
            f"edsim {__version__} (Mesa {installed_version('mesa')}, "
            f"Python {platform.python_version()})"
        )
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the edsim, Mesa and Python versions and exit.",
        ),
    ] = False,
) -> None:
    """Simulate how England's school system improves when research evidence flows."""


def resolve(scenario: Path | None, sets: list[str] | None) -> Resolved:
    """The scenario a command was given (the built-in one when omitted), with its ``--set``s."""
    from edsim.scenario import resolve as resolve_document

    return resolve_document(scenario, sets or ())


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user-fixable errors into ``error: ...`` on stderr and a non-zero exit code."""
    try:
        yield
    except (ScenarioError, ExperimentError) as exc:
        print_error(str(exc))
        raise typer.Exit(2) from None
    except EdsimError as exc:
        print_error(str(exc))
        raise typer.Exit(1) from None


def print_error(message: str) -> None:
    """Print ``error: message`` on stderr (plain click output, so rich never reads markup)."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)
