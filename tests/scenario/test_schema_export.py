"""The exported JSON Schema and parameter reference: in step with the model, valid, and strict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML

from edsim.scenario import PRESETS, Scenario
from edsim.scenario.jsonschema import scenario_json_schema, write_json_schema
from edsim.scenario.reference import parameter_reference, write_reference

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"
REFERENCE_FILE = ROOT / "docs" / "scenarios.md"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
REGENERATE = "edsim schema --out docs/scenario.schema.json --markdown docs/scenarios.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return scenario_json_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft7Validator(schema)


def leaf_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every scalar field, with list items written ``regions[].name`` as in the reference."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from leaf_fields(annotation, f"{prefix}{name}.")
        elif get_origin(annotation) is tuple and issubclass(args[0], BaseModel):
            yield from leaf_fields(args[0], f"{prefix}{name}[].")
        else:
            yield f"{prefix}{name}", info


#: List items that need a name to be valid at all.
NAMED_ITEMS = {"regions", "interventions"}


def nest(path: str, value: Any) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for ``a.b``; a list item (``x[].y``) becomes a one-item list."""
    head, _, rest = path.partition(".")
    inner: Any = nest(rest, value) if rest else value
    if head.endswith("[]"):
        item = {"name": "item"} if head[:-2] in NAMED_ITEMS else {}
        return {head[:-2]: [{**item, **inner}]}
    return {head: inner}


LEAVES = list(leaf_fields(Scenario))


# --- the committed files are generated, not hand-edited ----------------------------------------


def test_committed_schema_is_current(schema: dict[str, Any]) -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == schema, f"docs/scenario.schema.json is stale; regenerate: {REGENERATE}"


def test_committed_reference_is_current() -> None:
    committed = REFERENCE_FILE.read_text(encoding="utf-8")
    assert committed == parameter_reference(), (
        f"docs/scenarios.md is stale; regenerate: {REGENERATE}"
    )


def test_writers_are_deterministic(tmp_path: Path) -> None:
    write_json_schema(tmp_path / "out" / "schema.json")
    write_reference(tmp_path / "out" / "scenarios.md")
    assert (tmp_path / "out" / "schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    assert (tmp_path / "out" / "scenarios.md").read_bytes() == REFERENCE_FILE.read_bytes()
    assert scenario_json_schema() == scenario_json_schema()


# --- the schema is draft-07 and carries what editors show ---------------------------------------


def test_schema_is_valid_draft_07(schema: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"]
    assert schema["description"]
    assert "$defs" not in schema


def test_every_ref_points_into_definitions(schema: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
                assert set(node) == {"$ref"}, f"draft-07 ignores keys beside $ref: {node}"
            for key, value in node.items():
                if key != "default":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    assert refs
    for ref in refs:
        assert ref.startswith("#/definitions/")
        assert ref.removeprefix("#/definitions/") in schema["definitions"]


def test_unit_and_source_are_in_descriptions(schema: dict[str, Any]) -> None:
    prop = schema["definitions"]["PopulationSettings"]["properties"]["disadvantaged_share"]
    assert prop["unit"] == "share 0-1"
    assert prop["source"] == "NAO (2024), docs/sources.md"
    assert prop["description"].endswith("[unit: share 0-1; source: NAO (2024), docs/sources.md]")
    assert prop["exclusiveMinimum"] == 0
    assert prop["exclusiveMaximum"] == 1
    assert prop["default"] == 0.27


def test_every_section_forbids_unknown_keys(schema: dict[str, Any]) -> None:
    assert schema["additionalProperties"] is False
    for name, definition in schema["definitions"].items():
        assert definition["additionalProperties"] is False, name


def test_list_defaults_are_filled_in(schema: dict[str, Any]) -> None:
    dumped = Scenario().model_dump(mode="json")
    assert schema["properties"]["regions"]["default"] == dumped["regions"]
    assert schema["properties"]["interventions"]["default"] == dumped["interventions"]
    pupil_premium = schema["definitions"]["PolicySettings"]["properties"]["pupil_premium"]
    assert pupil_premium["default"] == dumped["policy"]["pupil_premium"]


# --- what it accepts ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_validate(validator: Any, path: Path) -> None:
    # Comments (including a `# yaml-language-server: $schema=...` line) are dropped by YAML;
    # `extends:` is part of the schema, so both are fine here.
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data or {})]
    assert not errors, errors


def test_full_dump_validates(validator: Any) -> None:
    validator.validate(Scenario().model_dump(mode="json"))
    validator.validate(Scenario(regime="linkage_exchange").model_dump(mode="json"))


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"regime": "linkage_exchange"},
        {"regime": "none"},
        {"regime": {"preset": "none", "feedback": {"mode": "local_evaluation"}}},
        {"regime": {"partnerships": {"n_brokers": 3}}},
        {"extends": "england"},
        {"extends": "../scenarios/small.yaml", "years": 5},
        {"years": 10, "population": {"disadvantaged_share": 0.3, "area_concentration": 7}},
        {"interventions": [{"name": "tutoring", "months": 4, "reach": "targeted"}]},
        {"policy": {"pupil_premium": [{"from_year": 2011, "primary": 500, "secondary": 400}]}},
    ],
)
def test_accepted(validator: Any, document: dict[str, Any]) -> None:
    validator.validate(document)


# --- what it rejects, and where ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"yeras": 10}, []),
        ({"population": {"disadvantaged_share": 1.5}}, ["population", "disadvantaged_share"]),
        ({"population": {"disadvantaged_share": 0}}, ["population", "disadvantaged_share"]),
        ({"years": "ten"}, ["years"]),
        ({"years": True}, ["years"]),
        ({"years": 2.5}, ["years"]),
        ({"truth": {"heterogeneity": True}}, ["truth", "heterogeneity"]),
        ({"truth": {"heterogeneity": "0.1"}}, ["truth", "heterogeneity"]),
        ({"regime": "bogus"}, ["regime"]),
        ({"regime": {"preset": "bogus"}}, ["regime"]),
        ({"regime": {"preset": "none", "feedbak": {"mode": "none"}}}, ["regime"]),
        ({"regime": {"feedback": {"mode": "sometimes"}}}, ["regime"]),
        ({"regime": None}, ["regime"]),
        ({"extends": 3}, ["extends"]),
        ({"interventions": []}, ["interventions"]),
        ({"interventions": [{"months": 3}]}, ["interventions", 0]),
        ({"regions": [{"name": "North", "pupil_share": 0}]}, ["regions", 0, "pupil_share"]),
        ({"schools": {"max_active": 3, "capacity": 0.5}}, ["schools"]),
    ],
)
def test_rejected(validator: Any, document: dict[str, Any], where: list[Any]) -> None:
    errors = list(validator.iter_errors(document))
    assert errors, f"schema accepted {document}"
    assert any(list(e.absolute_path) == where for e in errors), [
        (list(e.absolute_path), e.message) for e in errors
    ]
    with pytest.raises(ValidationError):  # the model agrees (no `extends` among these)
        Scenario.model_validate(document)


@pytest.mark.parametrize(("path", "info"), LEAVES, ids=[path for path, _ in LEAVES])
def test_bounds_match_the_model(validator: Any, path: str, info: FieldInfo) -> None:
    """At every bound: the schema accepts a closed bound, and rejects beyond it or an open one."""
    for bound in info.metadata:
        for kind, inclusive, step in (("ge", True, -1), ("gt", False, -1), ("le", True, 1)):
            if hasattr(bound, kind):
                edge = getattr(bound, kind)
                assert validator.is_valid(nest(path, edge)) == inclusive, (path, edge)
                assert not validator.is_valid(nest(path, edge + step)), (path, edge + step)
        if hasattr(bound, "lt"):
            assert not validator.is_valid(nest(path, bound.lt)), (path, bound.lt)
            assert not validator.is_valid(nest(path, bound.lt + 1)), (path, bound.lt + 1)


# --- the reference documents every parameter ---------------------------------------------------


def test_reference_lists_every_parameter() -> None:
    text = parameter_reference()
    missing = [path for path, _ in LEAVES if f"| `{path}` |" not in text]
    assert not missing, f"parameters missing from docs/scenarios.md: {missing}"
    for extra in ("extends", "regime.preset"):
        assert f"| `{extra}` |" in text


def test_reference_marks_uncertain_sources_and_shows_presets() -> None:
    text = parameter_reference()
    assert "| **uncertain**: a small team's year |" in text  # partnerships.days_per_broker
    assert "| `0 < x < 1` |" not in text  # ranges are prefixed with the kind of value
    assert "number, `0 < x < 1`" in text  # population.disadvantaged_share
    assert "whole number, `1 ≤ x ≤ 200`" in text  # years
    for preset in PRESETS:
        assert f"`{preset}`" in text
    assert "| `regime.feedback.mode` | `none` | `local_evaluation` | `none` |" in text
    assert "| metacognition and self-regulation | 7 | very low |" in text
    assert "| 2024 | 1480 | 1050 |" in text
    assert "| London | 0.155 | 1.1 |" in text
    assert "# yaml-language-server: $schema=../docs/scenario.schema.json" in text
