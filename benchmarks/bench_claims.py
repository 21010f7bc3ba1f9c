"""Every timing claim in the README, docs/, and the scenario and experiment headers, measured.

The documentation says how long things take ("about 15 s", "under a second", "about a minute on
a 2-core laptop"). This script holds each claim as data (where it is, what it states, the command
it is about), runs the command in a subprocess ``--repeats`` times and compares the median with
what is stated. Claims that share a command share its measurements. ``--check-docs`` re-reads
the files for timing-like phrases and reports any this script does not list, so a new unmeasured
claim is noticed.

Usage::

    .venv/bin/python benchmarks/bench_claims.py --list           # the claims, no running
    .venv/bin/python benchmarks/bench_claims.py --check-docs     # unlisted or stale claims
    .venv/bin/python benchmarks/bench_claims.py --only small-run --repeats 3
    .venv/bin/python benchmarks/bench_claims.py --max-stated 30  # only the quick ones
    .venv/bin/python benchmarks/bench_claims.py --save           # all (~30 min on 2 cores)

Every command runs in a fresh temporary directory (``{tmp}``), so default output directories
(``./results/<name>``) land there and the repository is not touched; repository files are named
by absolute path (``{root}``). ``{edsim}`` is the ``edsim`` script of the running interpreter's
environment and ``{python}`` the interpreter. A claim measured with ``timer="inner"`` is about
the simulation, not the command: its command times itself after the imports and prints
``SECONDS=<float>``. A claim with ``per=N`` states a time per unit (per seed): the measurement is
divided by N. The claim about installing runs the README's command word for word in a fresh copy
of the working tree (``workdir="copy"``); it needs the network or a warm pip cache.

Verdicts: an "under X" claim holds if the median is at most X; an "about X" claim holds if the
median is at most 1.5 X, and is marked "faster" when the median is under half of X (the claim
could be tightened).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _common import ROOT, machine, machine_line, save_json, spread


@dataclass(frozen=True)
class Claim:
    """One timing claim in the documentation and the command that checks it."""

    name: str
    file: str  # relative to the repository root
    text: str  # a phrase on the claim's line, to find it (and its line number) again
    stated: str  # the claim in words
    seconds: float  # the stated time as a number (per unit, if per > 1)
    kind: str  # "about" or "under"
    command: str  # shell command; {python} {edsim} {root} {tmp} are filled in
    timer: str = "wall"  # "wall": the command's wall time; "inner": it prints SECONDS=
    code: str = ""  # for timer="inner": the Python the command runs (shown by --list)
    per: int = 1  # the stated time is per this many units of the command (e.g. seeds)
    workdir: str = "tmp"  # "tmp": an empty temporary directory; "copy": a copy of the tree
    expect_fail: bool = False  # the command is meant to exit non-zero
    note: str = ""


def _inner(body: str) -> str:
    """Python that runs ``body`` (which starts the clock ``t0`` after its imports) and prints
    SECONDS=."""
    return f"import time\n{body}\nprint(f'SECONDS={{time.perf_counter() - t0}}')"


def _sim(scenario: str) -> str:
    """An in-process, after-imports timing of ``edsim.run(scenario)`` (seed 0, its horizon)."""
    return _inner(
        "import edsim\nrun = edsim.run  # edsim imports lazily: load it before the clock\n"
        f"t0 = time.perf_counter()\nrun('{{root}}/{scenario}')"
    )


VIZ_PLAY = _inner(
    "from edsim.scenario import load_scenario\n"
    "from edsim.viz.app import PLAY_INTERVAL_MS\n"
    "from edsim.viz.session import LockstepPair\n"
    "pair = LockstepPair(base=load_scenario('{root}/scenarios/teaching.yaml'))  # Reset\n"
    "t0 = time.perf_counter()\n"
    "while pair.running:\n"
    "    pair.step()\n"
    "    time.sleep(PLAY_INTERVAL_MS / 1000)"
)
INNER = "{python} -c {code}"
QUICKSTART = "{edsim} batch {root}/experiments/quickstart.yaml"
BASELINE = "{edsim} baseline --seeds 3"
SEED_MECHANISMS = "{edsim} batch {root}/experiments/seed_mechanisms.yaml"
WHEN_DOES_LE_WIN = "{edsim} batch {root}/experiments/when_does_le_win.yaml"
BEST_MIX = "{edsim} optimise {root}/experiments/best_mix.yaml"
ON_2_CORES = "measured with the machine's CPUs (edsim batch's default); the claim is for 2"

#: Every timing claim found in README.md, docs/*.md and the headers of scenarios/*.yaml and
#: experiments/*.yaml (grep: ``--check-docs``).
CLAIMS: tuple[Claim, ...] = (
    Claim(
        "main-job-readme",
        "README.md",
        "the batch takes about 60 seconds on a",
        "about 60 seconds on a 2-core machine once installed",
        60,
        "about",
        QUICKSTART,
        note=ON_2_CORES,
    ),
    Claim(
        "main-job",
        "docs/experiments.md",
        "150 runs took about 60 s on 2 cores",
        "about 60 s on 2 cores",
        60,
        "about",
        QUICKSTART,
        note=ON_2_CORES,
    ),
    Claim(
        "main-job-header",
        "experiments/quickstart.yaml",
        "About 60 s on 2 cores, install excluded",
        "about 60 s on 2 cores, install excluded",
        60,
        "about",
        QUICKSTART,
        note=ON_2_CORES,
    ),
    Claim(
        "england-run",
        "README.md",
        "7.7 million pupils, about 10 s",
        "about 10 s",
        10,
        "about",
        "{edsim} run",
        note="the command as a user runs it: imports, the run, writing results and the figure",
    ),
    Claim(
        "small-run",
        "README.md",
        "~200 schools, ~4.5 s",
        "~4.5 s (imports ~3.5 s)",
        4.5,
        "about",
        "{edsim} run {root}/scenarios/small.yaml",
        note="the command as a user runs it: imports, the run, writing results and the figure",
    ),
    Claim(
        "small-sim",
        "scenarios/small.yaml",
        "a 15-year run takes well under a second",
        "well under a second",
        1,
        "under",
        INNER,
        timer="inner",
        code=_sim("scenarios/small.yaml"),
        note="edsim.run only, after the imports",
    ),
    Claim(
        "baseline",
        "README.md",
        "full scale, ~2.5 s per seed",
        "~2.5 s per seed",
        2.5,
        "about",
        BASELINE,
        per=3,
        note="the command's wall time / 3 seeds (imports included)",
    ),
    Claim(
        "baseline-calibration",
        "docs/calibration.md",
        "full scale, ~2.5 s per seed",
        "~2.5 s per seed",
        2.5,
        "about",
        BASELINE,
        per=3,
        note="the command's wall time / 3 seeds (imports included)",
    ),
    Claim(
        "dask-unreachable",
        "docs/experiments.md",
        "cannot be reached is reported within 10 s",
        "within 10 s",
        10,
        "under",
        "{edsim} batch quickstart --executor dask --scheduler tcp://127.0.0.1:9",
        expect_fail=True,
        note="a scheduler address nothing listens on; the command must fail, and quickly",
    ),
    Claim(
        "regime-comparison-run",
        "docs/experiments.md",
        "240 runs, about 1 s each",
        "about 1 s a run",
        1,
        "about",
        INNER,
        timer="inner",
        code=_sim("scenarios/england_sample.yaml"),
        note="one disseminate-to run of england_sample, after the imports (the batch also "
        "runs the other regimes)",
    ),
    Claim(
        "england-sample-sim",
        "scenarios/england_sample.yaml",
        "a 15-year run takes about 1 s",
        "about 1 s",
        1,
        "about",
        INNER,
        timer="inner",
        code=_sim("scenarios/england_sample.yaml"),
        note="edsim.run only, after the imports",
    ),
    Claim(
        "teaching-sim",
        "scenarios/teaching.yaml",
        "still finishes in about a second",
        "about a second",
        1,
        "about",
        INNER,
        timer="inner",
        code=_sim("scenarios/teaching.yaml"),
        note="edsim.run only, after the imports",
    ),
    Claim(
        "viz-play",
        "docs/teaching.md",
        "under two seconds at the default speed",
        "15 years in under two seconds",
        2,
        "under",
        INNER,
        timer="inner",
        code=VIZ_PLAY,
        note="proxy without a browser: both panes stepped 15 years with the app's play "
        "interval between years, no drawing (tests/viz/test_browser.py measures the real page)",
    ),
    Claim(
        "policy-responses",
        "experiments/policy_responses.yaml",
        "About a minute on 2 cores",
        "about a minute on 2 cores",
        60,
        "about",
        "{edsim} batch {root}/experiments/policy_responses.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "heterogeneity-sweep",
        "experiments/heterogeneity_sweep.yaml",
        "About 2 minutes on 2 cores",
        "about 2 minutes on 2 cores",
        120,
        "about",
        "{edsim} batch {root}/experiments/heterogeneity_sweep.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "partnership-depth",
        "experiments/partnership_depth.yaml",
        "About 2 minutes on 2 cores",
        "about 2 minutes on 2 cores",
        120,
        "about",
        "{edsim} batch {root}/experiments/partnership_depth.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "sensitivity",
        "experiments/sensitivity.yaml",
        "about 3 minutes on 2 cores",
        "about 3 minutes on 2 cores",
        180,
        "about",
        "{edsim} sensitivity {root}/experiments/sensitivity.yaml "
        "--baseline disseminate_to --scenario linkage_exchange",
        note="the header's command; " + ON_2_CORES,
    ),
    Claim(
        "feedback-learning",
        "experiments/feedback_learning.yaml",
        "About 4 minutes on 2 cores",
        "about 4 minutes on 2 cores",
        240,
        "about",
        "{edsim} batch {root}/experiments/feedback_learning.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "regime-comparison",
        "experiments/regime_comparison.yaml",
        "About 4 minutes on 2 cores",
        "about 4 minutes on 2 cores",
        240,
        "about",
        "{edsim} batch {root}/experiments/regime_comparison.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "regimes-calibrated",
        "experiments/regimes_calibrated.yaml",
        "About 2 minutes",
        "about 2 minutes on 2 cores",
        120,
        "about",
        "{edsim} batch {root}/experiments/regimes_calibrated.yaml",
        note=ON_2_CORES,
    ),
    Claim(
        "seed-mechanisms",
        "experiments/seed_mechanisms.yaml",
        "About 8 minutes on 2 cores",
        "about 8 minutes on 2 cores",
        480,
        "about",
        SEED_MECHANISMS,
        note=ON_2_CORES,
    ),
    Claim(
        "seed-mechanisms-docs",
        "docs/experiments.md",
        "390 runs, about 5 minutes on 2 cores",
        "about 5 minutes on 2 cores when the machine is otherwise idle",
        300,
        "about",
        SEED_MECHANISMS,
        note=ON_2_CORES,
    ),
    Claim(
        "when-does-le-win",
        "experiments/when_does_le_win.yaml",
        "800 runs, about 8 minutes on 2 cores",
        "about 8 minutes on 2 cores",
        480,
        "about",
        WHEN_DOES_LE_WIN,
        note="the 800 runs (edsim batch), not the edsim discover after it; " + ON_2_CORES,
    ),
    Claim(
        "when-does-le-win-docs",
        "docs/experiments.md",
        "800 runs, 8 minutes on 2 cores shared",
        "8 minutes on 2 cores shared with other jobs",
        480,
        "about",
        WHEN_DOES_LE_WIN,
        note="the 800 runs (edsim batch), not the edsim discover after it; " + ON_2_CORES,
    ),
    Claim(
        "best-mix",
        "experiments/best_mix.yaml",
        "minutes on 2 cores:  edsim optimise best_mix",
        "about 6 minutes on 2 cores",
        360,
        "about",
        BEST_MIX,
        note="a fresh search, 40 trials; " + ON_2_CORES,
    ),
    Claim(
        "best-mix-docs",
        "docs/experiments.md",
        "6 minutes on 2 shared cores",
        "6 minutes on 2 shared cores",
        360,
        "about",
        BEST_MIX,
        note="a fresh search, 40 trials; " + ON_2_CORES,
    ),
    Claim(
        "best-mix-confirm",
        "docs/experiments.md",
        "`edsim optimise best_mix --confirm 5`, 50 s",
        "50 s",
        50,
        "about",
        BEST_MIX + " > /dev/null && " + INNER,
        timer="inner",
        code=_inner(
            "import subprocess, sys\n"
            "t0 = time.perf_counter()\n"
            "subprocess.run([sys.executable, '-m', 'edsim', 'optimise',\n"
            "                '{root}/experiments/best_mix.yaml', '--confirm', '5'],\n"
            "               check=True, stdout=subprocess.DEVNULL)"
        ),
        note="only the --confirm 5 rerun is timed, on a finished search that the command runs "
        "first (untimed, about 6 minutes: --max-stated does not see it); " + ON_2_CORES,
    ),
    Claim(
        "calibrate-england",
        "README.md",
        "about 25 minutes on 2 cores, and continues",
        "about 25 minutes on 2 cores",
        1500,
        "about",
        "{edsim} calibrate {root}/experiments/calibrate_england.yaml "
        "--out results/calibrate_england",
        note="the README's command, from the start (needs the calibrate extra, pyabc); run it "
        "with --timeout 2400, as 1.5 x 25 minutes is over the default; " + ON_2_CORES,
    ),
)

#: Timing-like phrases that are not claims about how long a command takes: (file, phrase, why).
NOT_CLAIMS: tuple[tuple[str, str, str], ...] = (
    ("README.md", "status, seconds", "a column name"),
    ("README.md", "30-minute class plan", "the length of a class"),
    ("docs/experiments.md", "`status`, `seconds`", "a column name"),
    ("docs/ODD.md", "take minutes)", "qualitative; benchmarks/bench_scale.py measures it"),
    ("docs/teaching.md", "a 30-minute class", "the length of a class"),
    ("docs/teaching.md", "(5 minutes, once)", "class preparation (a person's time)"),
    ("docs/teaching.md", "0–5 min", "the class plan"),
    ("docs/teaching.md", "5–12 min", "the class plan"),
    ("docs/teaching.md", "12–20 min", "the class plan"),
    ("docs/teaching.md", "20–25 min", "the class plan"),
    ("docs/teaching.md", "25–30 min", "the class plan"),
    ("docs/teaching.md", "interval to 300 ms", "a setting, not a duration claim"),
    ("scenarios/eef_refreshed_2024.yaml", "a second one", "not a time"),
    ("README.md", "(`bench_ratio.py`: 4.5 s against", "bench_ratio.py's measurement, quoted"),
    ("docs/experiments.md", "VM; 75 s before that commit's", "the main job's earlier time"),
    ("README.md", "6.7 s on a 2-core VM)", "bench_ratio.py's measurement, quoted"),
    ("README.md", "compiles it (about 5 s)", "bench_ratio.py's first-use measurement, quoted"),
    ("docs/calibration.md", "acceptance rate, seconds, elapsed", "fields of the progress line"),
    ("docs/calibration.md", "(a second is refused)", "an ordinal: a second process"),
    ("docs/calibration.md", "acceptance rate, seconds |", "a column name (history.csv)"),
    ("docs/experiments.md", "would otherwise take minutes", "qualitative: why a typo is refused"),
    (
        "docs/experiments.md",
        "is not Dask) within 5 s",
        "the scheduler handshake's timeout (HANDSHAKE_TIMEOUT_S), a behaviour",
    ),
    ("docs/experiments.md", "`--progress-every SECONDS`", "an option's value name"),
    (
        "docs/experiments.md",
        "notice within a second and exit",
        "a behaviour: how soon workers exit when the batch is killed",
    ),
    ("docs/experiments.md", "a second batch into the same", "an ordinal: a second batch"),
    ("docs/experiments.md", "a second opinion", "not a time"),
    (
        "docs/experiments.md",
        "took about a minute on 2 cores (59.5 s",
        "one past measurement of quickstart at 40 replicates, before the calibration",
    ),
    ("docs/experiments.md", "(924 s of model time)", "one past run's summed model time"),
    ("docs/experiments.md", "(306 s of trial time)", "one past search's summed trial time"),
    (
        "docs/validation.md",
        "24.8 minutes of sampling",
        "the shipped calibration's one run (cores shared); calibrate-england is the claim",
    ),
    (
        "docs/validation.md",
        "(each 76–78 s here,",
        "one past measurement of the edsim baseline runs, two at a time",
    ),
)

#: Where claims are looked for (YAML files: comment lines only).
DOC_GLOBS = ("README.md", "docs/*.md", "scenarios/*.yaml", "experiments/*.yaml")
_UNITS = r"(?:s|secs?|seconds?|ms|min|mins|minutes?|h|hrs?|hours?)"
TIMING = re.compile(
    rf"""(?ix)
    \d[\d,.]*(?:\s*|-){_UNITS}\b(?!\s*[=(])             # 15 s, 1.4 s, 30-minute, 300 ms
    | \b(?:a|an|one|two|three|four|five|ten|a\ few|few|several)\s+{_UNITS}\b  # a minute
    | \b(?:seconds|minutes|hours)\b                      # takes minutes
    | \b\d[\d,.]*\s*(?:years|runs)\s*/\s*s\b             # 10 years/s
    """
)


# --- finding claims in the files -----------------------------------------------------------


def _doc_lines() -> dict[str, list[str]]:
    """The lines of every file searched, by path relative to the root."""
    out: dict[str, list[str]] = {}
    for pattern in DOC_GLOBS:
        for path in sorted(glob.glob(str(ROOT / pattern))):
            rel = str(Path(path).relative_to(ROOT))
            out[rel] = Path(path).read_text(encoding="utf-8").splitlines()
    return out


def _line_of(lines: list[str], text: str) -> int | None:
    """The 1-based number of the first line containing ``text``, or None."""
    for i, line in enumerate(lines, 1):
        if text in line:
            return i
    return None


def _timing_phrases(docs: dict[str, list[str]]) -> list[tuple[str, int, str, str]]:
    """Every (file, line number, phrase, line) with a timing-like phrase."""
    hits = []
    for rel, lines in docs.items():
        for i, line in enumerate(lines, 1):
            if rel.endswith(".yaml") and not line.lstrip().startswith("#"):
                continue
            hits += [(rel, i, m.group(0), line) for m in TIMING.finditer(line)]
    return hits


def check_docs() -> int:
    """Report timing phrases no claim (or NOT_CLAIMS entry) covers, and claims not found."""
    docs = _doc_lines()
    known = [(c.file, c.text) for c in CLAIMS] + [(f, t) for f, t, _ in NOT_CLAIMS]
    unlisted = [
        h for h in _timing_phrases(docs) if not any(f == h[0] and t in h[3] for f, t in known)
    ]
    stale = [(f, t) for f, t in known if _line_of(docs.get(f, []), t) is None]
    print(f"searched {len(docs)} files ({', '.join(DOC_GLOBS)}); {len(CLAIMS)} claims listed")
    if unlisted:
        print("\ntiming-like phrases not in the list (add a Claim, or a NOT_CLAIMS entry):")
        for rel, i, phrase, line in unlisted:
            print(f"  {rel}:{i}: [{phrase}] {line.strip()}")
    if stale:
        print("\nlisted phrases no longer found (the claim moved or changed):")
        for rel, text in stale:
            print(f"  {rel}: {text!r}")
    if not unlisted and not stale:
        print("every timing-like phrase is listed, and every listed claim is still there")
    return 1 if unlisted or stale else 0


# --- running -------------------------------------------------------------------------------


def _edsim_command() -> str:
    script = Path(sys.executable).parent / "edsim"
    return shlex.quote(str(script)) if script.exists() else f"{sys.executable} -m edsim"


def _fill(claim: Claim, tmp: Path) -> str:
    """The claim's shell command with its placeholders filled in."""
    values = {"{root}": str(ROOT), "{tmp}": str(tmp)}
    code = claim.code
    for key, value in values.items():
        code = code.replace(key, value)
    values |= {
        "{python}": shlex.quote(sys.executable),
        "{edsim}": _edsim_command(),
        "{code}": shlex.quote(code),
    }
    command = claim.command
    for key, value in values.items():
        command = command.replace(key, value)
    return command


def _copy_tree(dest: Path) -> None:
    """Copy the working tree's files (tracked, and untracked but not ignored) to ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    ).stdout.split(b"\0")
    for raw in listed:
        rel = raw.decode()
        src = ROOT / rel
        if rel and src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def run_once(claim: Claim, timeout: float) -> dict[str, Any]:
    """Run a claim's command once; its seconds (per unit) or the error."""
    with tempfile.TemporaryDirectory(prefix="edsim-claim-") as tmp_name:
        tmp = Path(tmp_name)
        cwd = tmp
        if claim.workdir == "copy":
            cwd = tmp / "edsim"
            _copy_tree(cwd)
        command = _fill(claim, tmp)
        start = time.perf_counter()
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, so a timeout ends its workers too
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"error": f"timed out after {timeout:g} s"}
        wall = time.perf_counter() - start
    failed = proc.returncode != 0
    if failed != claim.expect_fail:
        what = f"exit status {proc.returncode}" + (" (expected to fail)" if not failed else "")
        return {"error": what, "stderr_tail": err[-2000:]}
    seconds = wall
    if claim.timer == "inner":
        found = re.findall(r"^SECONDS=([0-9.eE+-]+)$", out, flags=re.MULTILINE)
        if not found:
            return {"error": "no SECONDS= line in the output", "stderr_tail": err[-2000:]}
        seconds = float(found[-1])
    return {"seconds": seconds / claim.per, "command_wall_s": wall, "rc": proc.returncode}


def _verdict(claim: Claim, median: float) -> str:
    ratio = median / claim.seconds
    if claim.kind == "under":
        return "ok" if ratio <= 1.0 else "SLOWER"
    if ratio > 1.5:
        return "SLOWER"
    return "faster" if ratio < 0.5 else "ok"


def _where(claim: Claim, docs: dict[str, list[str]]) -> str:
    line = _line_of(docs.get(claim.file, []), claim.text)
    return f"{claim.file}:{line}" if line else f"{claim.file}:? (phrase not found)"


def _list(claims: list[Claim]) -> None:
    docs = _doc_lines()
    for c in claims:
        per = f" per {c.per}" if c.per > 1 else ""
        print(f"{c.name}\n  {_where(c, docs)}: {c.text!r}")
        print(f"  stated: {c.stated} [{c.kind} {c.seconds:g} s{per}], timer: {c.timer}")
        print(f"  command (in {c.workdir}): {c.command}")
        if c.code:
            print("  code: " + c.code.replace("\n", "\n        "))
        if c.note:
            print(f"  note: {c.note}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the claims' commands, print the table and optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each command (3)")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this claim (repeatable)"
    )
    parser.add_argument(
        "--max-stated",
        type=float,
        metavar="SECONDS",
        help="skip claims whose command is stated to take longer (per-unit claims: x units)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="per command (1800 s)")
    parser.add_argument("--list", action="store_true", help="print the claims, run nothing")
    parser.add_argument(
        "--check-docs", action="store_true", help="report timing phrases the list lacks"
    )
    parser.add_argument(
        "--save", action="store_true", help="write benchmarks/results/bench_claims-<host>.json"
    )
    args = parser.parse_args(argv)

    if args.check_docs:
        return check_docs()
    claims = list(CLAIMS)
    if args.only:
        unknown = set(args.only) - {c.name for c in CLAIMS}
        if unknown:
            parser.error(f"unknown claim(s): {', '.join(sorted(unknown))} (see --list)")
        claims = [c for c in claims if c.name in args.only]
    if args.max_stated is not None:
        claims = [c for c in claims if c.seconds * c.per <= args.max_stated]
    if args.list:
        _list(claims)
        return 0

    # Claims with the same command share its measurements.
    def key(c: Claim) -> tuple[str, str, str, str, int]:
        return (c.command, c.code, c.workdir, c.timer, c.per)

    measured: dict[tuple[str, str, str, str, int], list[dict[str, Any]]] = {}
    for c in claims:
        if key(c) in measured:
            continue
        runs: list[dict[str, Any]] = []
        for i in range(args.repeats):
            r = run_once(c, args.timeout)
            runs.append(r)
            shown = f"{r['seconds']:.2f} s" if "seconds" in r else f"FAILED: {r['error']}"
            print(f"{c.name} {i + 1}/{args.repeats}: {shown}", file=sys.stderr)
            if "error" in r:
                print(r.get("stderr_tail", ""), file=sys.stderr)
                break
        measured[key(c)] = runs

    docs = _doc_lines()
    rows: list[dict[str, Any]] = []
    for c in claims:
        runs = measured[key(c)]
        seconds = [r["seconds"] for r in runs if "seconds" in r]
        row: dict[str, Any] = {**asdict(c), "where": _where(c, docs), "runs": runs}
        if seconds and len(seconds) == len(runs):
            s = spread(seconds)
            row.update(median_s=s["median"], min_s=s["min"], max_s=s["max"])
            row["ratio"] = s["median"] / c.seconds
            row["verdict"] = _verdict(c, s["median"])
        else:
            row["verdict"] = "FAILED"
        rows.append(row)

    info = machine()
    print(f"{machine_line(info)}; runs of each command: {args.repeats}\n")
    print("| claim | where | stated | median s | min-max s | median / stated | verdict |")
    print("|---|---|---|---:|---:|---:|---|")
    for r in rows:
        unit = f" per {r['per']}" if r["per"] > 1 else ""
        if r["verdict"] == "FAILED":
            print(f"| {r['name']} | {r['where']} | {r['stated']} | - | - | - | FAILED |")
            continue
        print(
            f"| {r['name']} | {r['where']} | {r['stated']} | {r['median_s']:.2f}{unit} "
            f"| {r['min_s']:.2f}-{r['max_s']:.2f} | {r['ratio']:.2f} | {r['verdict']} |"
        )
    notes = [f"- {r['name']}: {r['note']}" for r in rows if r["note"]]
    if notes:
        print("\n" + "\n".join(notes))
    if args.save:
        payload = {"machine": info, "repeats": args.repeats, "claims": rows}
        path = save_json("bench_claims", payload, info["hostname"])
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 0 if all(r["verdict"] not in ("SLOWER", "FAILED") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
