"""What a person reads names no column and shows no raw number, on demo and real data.

Every factor of a few hundred clients (20 raising, 20 lowering the risk), its label and its
formatted value, as the API serves them, and the label of every feature of the dictionary:
no feature or application column name, no ALL_CAPS_WITH_UNDERSCORE token, no lowercase
fragment glued from a column name ("livingapartments"), no bare day count ("1,217 days"),
no float with more than two decimals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credit_scoring_kedro.serving.artifacts import data_root, load_artifact
from credit_scoring_kedro.serving.request_schema import application_columns
from credit_scoring_kedro.serving.service import ScoringService

CLIENTS = 300
TOP_K = 20

ALL_CAPS = re.compile(r"\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b")
UNDERSCORE = re.compile(r"\w*_\w*")
DAY_COUNT = re.compile(r"\b(?:\d{3,}|\d{1,3}(?:,\d{3})+)\s*days?\b")
LONG_FLOAT = re.compile(r"\d\.\d{3,}")
#: Long column-name parts that are plain English words (the others are glued or coded).
ENGLISH = {"apartments", "application", "approved", "business", "canceled", "children", "completed",
           "consumer", "contract", "currency", "decision", "development", "document",
           "drawings", "duration", "education", "elevators", "employed", "entrances",
           "instalment", "microloan", "mortgage", "occupation", "organization", "population",
           "principal", "receivable", "refreshed", "registration", "regularity", "relative",
           "repeater", "returned", "revolving", "shortfall", "underpayment"}
#: Short column-name abbreviations no plain sentence uses.
ABBREVIATIONS = {"amt", "appr", "avg", "bb", "buro", "cnt", "cum", "curr", "dpd", "emp",
                 "enddate", "ext", "fam", "instal", "medi", "mobil", "nunique", "obs", "prev",
                 "qrt", "req", "scofr", "sk", "std", "verif"}


def _raw_names(features: list[str]) -> tuple[set[str], set[str]]:
    """(feature and application column names, their glued or abbreviated fragments)."""
    names = set(features) | set(application_columns())
    parts = {p.lower() for name in names for p in name.split("_") if p.isalpha()}
    glued = {p for p in parts if len(p) >= 8 and p not in ENGLISH}
    return names, glued | (ABBREVIATIONS & parts)


def _problems(text: str, names: set[str], fragments: set[str]) -> list[str]:
    found = [t for t in re.findall(r"\w+", text) if t in names]
    found += ALL_CAPS.findall(text) + UNDERSCORE.findall(text)
    found += [t for t in re.findall(r"[A-Za-z]+", text) if t.lower() in fragments]
    found += DAY_COUNT.findall(text) + LONG_FLOAT.findall(text)
    return found


def _walk(root: Path) -> tuple[list[str], int]:
    """Every text a person reads for the first clients of ``root``; how many factors."""
    with data_root(root):
        service = ScoringService.from_catalog(log_url="off")
        dictionary = load_artifact("feature_dictionary")
    labels = service.explainer.labels
    texts = [labels[e["name"]] for e in dictionary]
    factors = 0
    for client_id in list(service.book.row_of)[:CLIENTS]:
        result = service.explanation(client_id, top_k=TOP_K)
        assert all(f["value"] is not None for f in result["lowers_risk"])   # never a missing value
        for factor in result["raises_risk"] + result["lowers_risk"]:
            texts += [factor["sentence"], factor["label"], factor["display"]]
            factors += 1
    return texts, factors


def _check(root: Path) -> None:
    with data_root(root):
        features = load_artifact("model_bundle").features
    names, fragments = _raw_names(features)
    texts, factors = _walk(root)
    assert factors > CLIENTS * 10                     # the walk really read explanations
    bad = {text: problems for text in set(texts) if (problems := _problems(text, names, fragments))}
    assert bad == {}


def test_the_checks_catch_raw_names_and_raw_numbers() -> None:
    names, fragments = _raw_names(["LIVINGAPARTMENTS_AVG", "BURO_DAYS_CREDIT_VAR"])
    assert "livingapartments" in fragments and "buro" in fragments
    for raw in ["Building: livingapartments (average) is usual (0.06): lowers the risk",
                "EXT_SOURCE_3 is high: lowers the risk", "Time in job: 1,217 days",
                "Spread: 181476 days", "Share of income: 0.1834", "days_birth is low",
                "Average buro credit"]:
        assert _problems(raw, names, fragments), raw
    plain = "Living apartments in the building (average): 6 on a 0–100 scale — weighs little"
    assert _problems(plain, names, fragments) == []
    assert _problems("Average delay on past instalments: 12 days — raises the risk",
                     names, fragments) == []


def test_demo_explanations_are_plain(trained_root) -> None:
    _check(trained_root)


@pytest.mark.realdata
def test_real_sample_explanations_are_plain(real_sample_root) -> None:
    _check(real_sample_root)


def test_every_feature_of_the_glossary_rules_has_a_plain_label() -> None:
    """All features the pipelines can build (not only those a model kept), and CODE_GENDER."""
    import yaml

    from credit_scoring_kedro.explain.labels import feature_label
    from credit_scoring_kedro.features.domain import OUTPUT_COLUMNS
    from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES

    glossary = yaml.safe_load((Path(__file__).resolve().parents[2] / "conf" / "base"
                               / "feature_glossary.yml").read_text())
    entries = [{"name": c, "kind": "application", "description": ""}
               for c in [*application_columns(), *OUTPUT_COLUMNS] if c != "SK_ID_CURR"]
    entries += [{"name": f.name, "kind": "history_aggregate", "source_table": f.table,
                 "source_column": f.column, "statistic": f.statistic, "scope": f.scope,
                 "description": f"... is '{f.label}'" if f.label else "..."}
                for family in HISTORY_FAMILIES for f in family.features()]
    names, fragments = _raw_names([e["name"] for e in entries])
    labels = {e["name"]: feature_label(e, glossary) for e in entries}
    assert labels["CODE_GENDER"] == "Gender"
    bad = {name: label for name, label in labels.items()
           if not label or label == "..." or _problems(label, names, fragments)
           or re.search(r"\b[A-Z]{2,}\b", label)}
    assert bad == {}
