"""Regenerate the screenshots in docs/teaching.md and README.md from the real app.

Starts ``edsim viz scenarios/teaching.yaml`` on a free loopback port, drives it with headless
Chromium (the system ``chromium``, through Playwright) by pressing Step, and saves:

- ``docs/figures/teaching_app.png``: the whole app at year 8, both regimes side by side;
- ``docs/figures/teaching_charts.png``: the live charts at the end of the run (year 15);
- ``docs/figures/teaching_system.png``: the system view at the end of the run;
- ``docs/figures/teaching_log.png``: the event log at the end of the run.

Run from the repository root: ``.venv/bin/python docs/make_teaching_screenshots.py``.
Each PNG is reduced to a 256-colour palette so it stays well under 500 kB.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from edsim.viz.env import HEADLESS_CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit("the app did not start")


def _step_to(page: Page, year: int) -> None:
    while int(page.text_content("[data-testid=step-b]") or 0) < year:
        now = page.text_content("[data-testid=step-b]")
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            f"document.querySelector('[data-testid=step-b]').textContent !== '{now}'"
        )


def _shrink(path: Path) -> None:
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} kB")


def main() -> None:
    """Start the app, take the screenshots, stop the app."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs the system chromium (apt-get install chromium)")
    FIGURES.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "edsim", "viz", "scenarios/teaching.yaml", "--port", str(port)],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=HEADLESS_CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1560, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("[data-testid=year-b]", timeout=60_000)
            _step_to(page, 8)
            page.screenshot(path=FIGURES / "teaching_app.png", full_page=True)
            _step_to(page, int(page.text_content("[data-testid=horizon-b]") or 15))
            page.locator(".edsim-charts").screenshot(path=FIGURES / "teaching_charts.png")
            page.locator(".edsim-systems").screenshot(path=FIGURES / "teaching_system.png")
            page.locator(".edsim-log").screenshot(path=FIGURES / "teaching_log.png")
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    for name in ("app", "charts", "system", "log"):
        _shrink(FIGURES / f"teaching_{name}.png")


if __name__ == "__main__":
    main()
