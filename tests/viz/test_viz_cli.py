"""`edsim viz` (argument checks, host warning, how the server is started) and `edsim animate`."""

import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

import edsim
from edsim.cli import app
from edsim.cli import viz as viz_cli
from edsim.io import write_trajectory
from edsim.viz import server
from edsim.viz.env import SCENARIO_ENV, SEED_ENV, SETS_ENV

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "small.yaml"
runner = CliRunner()


def unused_port() -> int:
    """A port nothing listens on just now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def started(monkeypatch):
    """Capture the server command instead of starting it."""
    calls = []

    def fake_serve(command, env):
        calls.append((command, env))
        return 0

    monkeypatch.setattr(server, "serve", fake_serve)
    return calls


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert viz_cli.is_loopback(host) is loopback


def test_viz_serves_the_scenario_on_localhost_by_default(started):
    port = unused_port()
    result = runner.invoke(
        app, ["viz", str(SMALL), "--port", str(port), "--seed", "4", "--set", "years=6"]
    )
    assert result.exit_code == 0, result.output
    command, env = started[0]
    assert command[1:5] == ["-m", "solara", "run", "edsim.viz.app:page"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == str(port)
    assert "--no-check-version" in command  # Solara would ask PyPI and advise breaking our pin
    assert env[SCENARIO_ENV] == str(SMALL)
    assert env[SEED_ENV] == "4"
    assert json.loads(env[SETS_ENV]) == ["years=6"]
    assert "warning" not in result.output


def test_viz_warns_when_visible_on_the_network(started):
    result = runner.invoke(app, ["viz", str(SMALL), "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0" in result.output
    assert "error" not in result.output  # a warning, not an error
    assert started[0][0][started[0][0].index("--host") + 1] == "0.0.0.0"


def test_viz_refuses_a_bad_scenario_before_starting(started, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("truth:\n  heterogeneity: 5\n")
    result = runner.invoke(app, ["viz", str(bad)])
    assert result.exit_code == 2
    assert "error: invalid scenario" in result.output
    assert "truth.heterogeneity" in result.output
    assert "Traceback" not in result.output
    assert started == []  # no server


def test_animate_a_scenario_side_by_side(tmp_path):
    out = tmp_path / "slides" / "pair.gif"
    result = runner.invoke(
        app,
        [
            "animate",
            str(SMALL),
            "--compare",
            "linkage_exchange",
            "--years",
            "3",
            "--seed",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 4  # year 0 and three simulated years
    assert [p.name for p in out.parent.iterdir()] == ["pair.gif"]  # no temporary file left


def test_animate_results_written_by_edsim_run(tmp_path):
    for regime in ("disseminate_to", "linkage_exchange"):
        df = edsim.run(SMALL, seed=1, years=2, regime=regime)
        write_trajectory(df, tmp_path / regime, "trajectory")
    out = tmp_path / "runs.gif"
    result = runner.invoke(
        app,
        [
            "animate",
            str(tmp_path / "disseminate_to"),
            str(tmp_path / "linkage_exchange" / "trajectory.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.n_frames == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenarios/small.yaml", "--out", "x.png"], "must name a .gif"),
        (["no/such/results", "--out", "x.gif"], "no such results"),
        ([str(ROOT / "README.md"), "--out", "x.gif"], "expected a scenario .yaml or a trajectory"),
    ],
)
def test_animate_errors_are_plain(args, message, tmp_path):
    result = runner.invoke(app, ["animate", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_animate_refuses_a_table_that_is_not_a_trajectory(tmp_path):
    table = tmp_path / "other.csv"
    pd.DataFrame({"year": [2011], "x": [1]}).to_csv(table, index=False)
    result = runner.invoke(app, ["animate", str(table), "--out", str(tmp_path / "x.gif")])
    assert result.exit_code == 1
    assert "not an edsim trajectory" in result.output
    assert not (tmp_path / "x.gif").exists()
