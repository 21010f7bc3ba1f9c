"""The public API is small and pinned: changing it is a decision, not an accident."""

import edsim


def test_public_api_is_pinned():
    assert sorted(edsim.__all__) == sorted(
        [
            "METRICS",
            "PRESETS",
            "EdSystemModel",
            "EdsimError",
            "ExperimentError",
            "Results",
            "Scenario",
            "ScenarioError",
            "__version__",
            "discover",
            "load_experiment",
            "load_scenario",
            "optimise",
            "run",
            "run_experiment",
        ]
    )
    for name in edsim.__all__:
        assert getattr(edsim, name) is not None


def test_errors_form_one_tree():
    from edsim import errors

    for name in ("ScenarioError", "ExperimentError", "OutputError", "MissingExtraError"):
        assert issubclass(getattr(errors, name), errors.EdsimError)
