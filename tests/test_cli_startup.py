"""`edsim --help` stays fast: printing help imports none of the scientific stack.

Not a timing test (timings depend on the machine; ``benchmarks/bench_cli.py`` records them). It
pins the cause of a slow ``--help`` instead: in a fresh interpreter, import ``edsim.cli``, print
the help of the root command and of every subcommand, and list which heavy modules got imported.
Typer itself imports rich and pydantic, so those are not on the list.
"""

import json
import subprocess
import sys
import textwrap

#: Third-party packages that cost a second or more together, and edsim's own heavy layers.
HEAVY = (
    "matplotlib",
    "mesa",
    "networkx",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "solara",
    "edsim.analysis",
    "edsim.experiment",
    "edsim.model",
    "edsim.plotting",
    "edsim.report",
    "edsim.runner",
    "edsim.scenario",
    "edsim.viz",
)

PROBE = textwrap.dedent(
    """
    import json, sys

    import typer.main
    from typer.testing import CliRunner

    import edsim.cli

    heavy = {heavy!r}
    after_import = sorted(m for m in heavy if m in sys.modules)
    commands = sorted(typer.main.get_command(edsim.cli.app).commands)
    runner = CliRunner()
    failures = {{}}
    for args in ([], *([name] for name in commands)):
        result = runner.invoke(edsim.cli.app, [*args, "--help"], prog_name="edsim")
        if result.exit_code != 0 or "Usage: edsim" not in result.output:
            failures[" ".join(args) or "(root)"] = result.output
    print(json.dumps({{
        "commands": commands,
        "failures": failures,
        "after_import": after_import,
        "after_help": sorted(m for m in heavy if m in sys.modules),
    }}))
    """
)


def test_help_imports_nothing_heavy():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    # Not vacuous: every command's help was printed.
    assert {"run", "batch", "viz", "animate", "schema", "sensitivity"} <= set(found["commands"])
    assert found["failures"] == {}
    assert found["after_import"] == []
    assert found["after_help"] == []
