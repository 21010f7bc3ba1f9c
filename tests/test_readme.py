"""README's two commands: CI runs the test command exactly as a newcomer would copy it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    commands = [b.strip() for b in _bash_blocks(section)]
    assert len(commands) == 2, "exactly two set-up commands"
    main, tests = commands
    # A shipped experiment by name: the same command works from an installed wheel, anywhere.
    assert main.endswith("edsim batch quickstart")
    assert (ROOT / "src" / "edsim" / "data" / "experiments" / "quickstart.yaml").is_file()
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines(), ".ci/run must run the README's test command verbatim"
    # CI also runs the main job from the built wheel (for "-e .") in a directory outside the
    # repository, so a wheel missing its package data fails CI.
    assert "pip install -q -e . " in main
    from_wheel = main.replace("pip install -q -e . ", 'pip install -q --no-compile "$wheel" ')
    lines = [line.strip() for line in ci.splitlines()]
    assert from_wheel in lines, ".ci/run must run the README's main job from the wheel"
    block = ci.split(from_wheel, 1)[0].rsplit("(\n", 1)[1]
    assert 'cd "$elsewhere"' in block
    assert "elsewhere=$(mktemp -d)" in ci
