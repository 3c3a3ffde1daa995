"""Every feature has a plain-language description; a feature without one is an error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from credit_scoring_kedro.features.dictionary import describe_features, raw_column_descriptions
from credit_scoring_kedro.pipelines.data_engineering.nodes import HISTORY_FAMILIES
from credit_scoring_kedro.schema import raw_schemas

GLOSSARY = yaml.safe_load((Path(__file__).resolve().parents[2] / "conf" / "base" /
                           "feature_glossary.yml").read_text())


def descriptions() -> pd.DataFrame:
    rows = [("application_{train|test}.csv", c, f"About {c.lower()}")
            for c in raw_schemas()["application_train"].columns]
    for name, schema in raw_schemas().items():
        if not name.startswith("application"):
            rows += [(f"{schema.file}.csv", c, f"About {c.lower()}") for c in schema.columns]
    rows.append(("POS_CASH_balance.csv", "SK_DPD", "DPD (days past due) during the month"))
    return pd.DataFrame(rows, columns=["Table", "Row", "Description"])


def test_every_history_feature_is_described() -> None:
    names = [f.name for family in HISTORY_FAMILIES for f in family.features()]
    entries = describe_features(names, list(HISTORY_FAMILIES), raw_column_descriptions(descriptions()),
                                GLOSSARY)
    assert [e["name"] for e in entries] == names
    assert all(e["description"] and e["source_table"] for e in entries)
    by_name = {e["name"]: e for e in entries}
    assert by_name["BURO_ACTIVE_COUNT"]["description"] == (
        "Number of the client's credits at other lenders reported by the Credit Bureau (still open only)")
    assert by_name["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"]["source_table"] == "previous_application"


def test_acronyms_keep_their_case() -> None:
    entries = describe_features(["POS_SK_DPD_MAX"], list(HISTORY_FAMILIES),
                                raw_column_descriptions(descriptions()), GLOSSARY)
    assert "DPD (days past due)" in entries[0]["description"]
    assert "dPD" not in entries[0]["description"]


def test_domain_and_application_columns_are_described() -> None:
    entries = describe_features(["EXT_SOURCE_MEAN", "AMT_CREDIT"], [],
                                raw_column_descriptions(descriptions()), GLOSSARY)
    assert entries[0]["kind"] == "domain" and entries[1]["kind"] == "application"


def test_a_feature_without_description_is_an_error() -> None:
    with pytest.raises(ValueError, match="MYSTERY_FEATURE"):
        describe_features(["AMT_CREDIT", "MYSTERY_FEATURE"], [],
                          raw_column_descriptions(descriptions()), GLOSSARY)
