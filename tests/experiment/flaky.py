"""Run functions for the batch tests, importable by worker processes (so picklable by name)."""

import pandas as pd

from edsim.experiment import RunOutcome, RunSpec, run_one


def fail_replicate_one(spec: RunSpec) -> RunOutcome:
    """The real run, except that replicate 1 raises inside the worker."""
    if spec.replicate == 1:
        raise RuntimeError(f"deliberate failure in {spec.run_id}")
    return run_one(spec)


def cheap(spec: RunSpec) -> RunOutcome:
    """A stand-in for the model with a realistically sized trajectory (16 years x 65 metrics)."""
    columns = {f"m{i}": [float(spec.replicate + i)] * 16 for i in range(65)}
    frame = pd.DataFrame({"run_id": spec.run_id, "year": range(16), **columns})
    return RunOutcome(spec.run_id, frame, 0.0)
