"""End to end in a real browser: `edsim viz` serves the app; headless Chromium steps and plays it.

Needs the system Chromium (Debian's `chromium`, which .ci/run installs). Without it the test is
skipped with the reason - unless `CI` or `EDSIM_REQUIRE_BROWSER` is set, where a missing browser
is a failure, so CI cannot pass by silently skipping the only test of the real page.

It prints how many simulated years a second the page played (``-s`` shows it) but asserts no
speed: a timed assertion fails on a busy machine (the suite runs on every core). The play speed
is measured in ``benchmarks/bench_claims.py`` (``viz-play``).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from edsim.viz.env import HEADLESS_CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"


def _chromium() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI") or os.environ.get("EDSIM_REQUIRE_BROWSER"):
        pytest.fail("the system Chromium is required here (CI/EDSIM_REQUIRE_BROWSER is set)")
    pytest.skip("no system Chromium: install Debian's chromium package to run the browser test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "edsim", "viz", str(TEACHING), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
            cwd=ROOT,
            start_new_session=True,  # its own process group: the solara child goes down with it
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while not _responds(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start:\n" + log_path.read_text())
            time.sleep(0.25)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _responds(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _text(page, testid):
    return page.text_content(f"[data-testid={testid}]")


def _series(page, pane, metric):
    el = page.locator(f'g.edsim-series[data-pane="{pane}"][data-metric="{metric}"]')
    return int(el.get_attribute("data-n")), el.get_attribute("data-last")


def test_step_and_play_in_a_real_browser(server, tmp_path):
    from PIL import Image, ImageStat
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=HEADLESS_CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.goto(server)
            page.wait_for_selector("[data-testid=year-b]", timeout=60_000)
            start = {k: int(_text(page, f"year-{k}")) for k in "ab"}
            assert start["a"] == start["b"]
            assert _series(page, "a", "ks4_gap_index")[0] == 1

            page.get_by_role("button", name="Step").click()
            page.wait_for_function(
                "document.querySelector('[data-testid=step-b]').textContent === '1'",
                timeout=20_000,
            )
            for k in "ab":
                assert int(_text(page, f"year-{k}")) == start[k] + 1
                assert _series(page, k, "ks4_gap_index")[0] == 2
                assert _series(page, k, "schools_reached_cumulative")[0] == 2

            horizon = int(_text(page, "horizon-a"))
            assert horizon > 5
            page.get_by_role("button", name="▶").click()
            began = time.monotonic()
            page.wait_for_function(
                f"document.querySelector('[data-testid=step-b]').textContent === '{horizon}'",
                timeout=60_000,
                polling=20,
            )
            elapsed = time.monotonic() - began
            years_per_second = (horizon - 1) / elapsed
            print(f"browser: {years_per_second:.1f} simulated years per second (both panes)")
            (tmp_path / "years_per_second.txt").write_text(f"{years_per_second:.2f}\n")
            for k in "ab":
                assert _text(page, f"step-{k}") == str(horizon)
                n, last = _series(page, k, "ks4_gap_index")
                assert n == horizon + 1
                assert last
            # The regimes diverge: partnership schools appear only on the linkage side.
            assert page.locator('svg.edsim-system[data-pane="b"] [data-status=partnership]').count()
            assert not page.locator(
                'svg.edsim-system[data-pane="a"] [data-status=partnership]'
            ).count()

            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        spread = ImageStat.Stat(rgb).stddev
    assert len(colours) > 200, "screenshot looks blank"
    assert min(spread) > 10, "screenshot looks blank"
