"""Every feature gets a plain-language description; a feature without one is an error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from credit_scoring_kedro.features.dictionary import describe_features, raw_column_descriptions
from credit_scoring_kedro.features.domain import OUTPUT_COLUMNS
from credit_scoring_kedro.pipelines.data_engineering.nodes import HISTORY_FAMILIES
from credit_scoring_kedro.schema import raw_schemas, table_schema

PROJECT = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((PROJECT / "conf" / "base" / "feature_glossary.yml").read_text())

#: Hand-written descriptions, as in HomeCredit_columns_description.csv (file, column, text).
HAND_WRITTEN = [
    ("application_{train|test}.csv", "AMT_CREDIT", "Credit amount of the loan"),
    ("bureau.csv", "AMT_CREDIT_SUM", "Current credit amount for the Credit Bureau credit."),
    ("bureau.csv", "DAYS_CREDIT", "How many days before current application did client apply"),
    ("previous_application.csv", "NAME_CONTRACT_STATUS", "Contract status during the month"),
    ("POS_CASH_balance.csv", "SK_DPD", "DPD (days past due) during the month of previous credit"),
    ("installments_payments.csv", "NUM_INSTALMENT_VERSION",
     "Version of installment   calendar\n(0 is for credit card) of previous credit."),
]


def column_descriptions(drop: tuple[str, str] | None = None) -> pd.DataFrame:
    """The hand-written rows plus 'Column X' for every other raw column, in the Kaggle layout."""
    rows = list(HAND_WRITTEN)
    done = {(file, column) for file, column, _ in rows}
    for name, schema in raw_schemas().items():
        file = "application_{train|test}.csv" if name.startswith("application") else f"{schema.file}.csv"
        for column in schema.columns:
            if (file, column) not in done:
                rows.append((file, column, f"Column {column}"))
                done.add((file, column))
    rows = [r for r in rows if drop is None or (r[0], r[1]) != drop]
    frame = pd.DataFrame(rows, columns=["Table", "Row", "Description"])
    frame.insert(0, "", range(1, len(frame) + 1))
    frame["Special"] = None
    return frame


def describe(names: list[str], description: pd.DataFrame | None = None) -> dict[str, dict]:
    raw = raw_column_descriptions(column_descriptions() if description is None else description)
    entries = describe_features(names, list(HISTORY_FAMILIES), raw, GLOSSARY)
    assert [e["name"] for e in entries] == names
    return {e["name"]: e for e in entries}


def test_raw_descriptions_are_keyed_by_table_with_whitespace_collapsed() -> None:
    raw = raw_column_descriptions(column_descriptions())
    assert raw[("application", "AMT_CREDIT")] == "Credit amount of the loan"
    assert raw[("pos_cash_balance", "SK_DPD")].startswith("DPD (days past due)")
    assert raw[("installments_payments", "NUM_INSTALMENT_VERSION")] == (
        "Version of installment calendar (0 is for credit card) of previous credit.")


def test_every_feature_of_the_five_families_is_described() -> None:
    names = [f.name for family in HISTORY_FAMILIES for f in family.features()]
    assert len(names) == len(set(names))  # no two families produce the same name
    entries = describe(names)
    tables = {f.name: family.table for family in HISTORY_FAMILIES for f in family.features()}
    for name, entry in entries.items():
        assert entry["kind"] == "history_aggregate"
        assert entry["source_table"] == tables[name]
        assert isinstance(entry["description"], str) and len(entry["description"]) > 10, name


def test_domain_and_application_columns_are_described() -> None:
    entries = describe([*OUTPUT_COLUMNS, "AMT_CREDIT", "CODE_GENDER"])
    for name in OUTPUT_COLUMNS:
        assert entries[name]["kind"] == "domain"
        assert entries[name]["description"] == GLOSSARY["domain"][name]
    assert entries["AMT_CREDIT"] == {"name": "AMT_CREDIT", "source_table": "application",
                                     "kind": "application",
                                     "description": "Credit amount of the loan"}
    assert entries["CODE_GENDER"]["description"] == "Column CODE_GENDER"


def test_aggregate_sentences_by_hand() -> None:
    entries = describe(["BURO_COUNT", "BURO_ACTIVE_AMT_CREDIT_SUM_SUM", "BURO_DAYS_CREDIT_MIN",
                        "PREV_REFUSED_COUNT", "PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE",
                        "INSTAL_PAYMENT_RATIO_MIN", "INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"])
    bureau_rows = "the client's credits at other lenders reported by the Credit Bureau"
    previous_rows = "the client's previous applications for Home Credit loans"
    assert entries["BURO_COUNT"]["description"] == f"Number of {bureau_rows}"
    assert entries["BURO_ACTIVE_AMT_CREDIT_SUM_SUM"]["description"] == (
        f"Total current credit amount for the Credit Bureau credit over {bureau_rows} "
        "(still open only)")
    assert entries["BURO_ACTIVE_AMT_CREDIT_SUM_SUM"]["scope"] == "ACTIVE"
    assert entries["BURO_DAYS_CREDIT_MIN"]["description"] == (
        f"Lowest how many days before current application did client apply over {bureau_rows}")
    assert entries["PREV_REFUSED_COUNT"]["description"] == f"Number of {previous_rows} (refused only)"
    assert entries["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"]["description"] == (
        f"Share of {previous_rows} where contract status during the month is 'Refused'")
    assert entries["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"]["source_table"] == (
        "previous_application")
    assert entries["INSTAL_PAYMENT_RATIO_MIN"]["description"] == (
        "Lowest amount paid divided by the amount due over the instalments due on the client's "
        "previous Home Credit loans")
    assert entries["INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"]["description"].startswith(
        "Number of distinct values of version of installment calendar (0 is for credit card)")


def test_acronyms_keep_their_case() -> None:
    entries = describe(["POS_SK_DPD_MAX", "POS_SK_DPD_MEAN"])
    text = entries["POS_SK_DPD_MAX"]["description"]
    assert text.startswith("Highest DPD (days past due) during the month of previous credit over ")
    assert "dPD" not in text and "dPD" not in entries["POS_SK_DPD_MEAN"]["description"]


def test_a_feature_without_description_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="MYSTERY_FEATURE"):
        describe(["AMT_CREDIT", "MYSTERY_FEATURE", "EXT_SOURCE_MEAN"])


def test_an_aggregated_column_without_description_is_an_error_naming_it() -> None:
    description = column_descriptions(drop=("bureau.csv", "DAYS_CREDIT"))
    with pytest.raises(ValueError, match="DAYS_CREDIT") as info:
        describe(["BURO_DAYS_CREDIT_MAX"], description)
    assert "bureau" in str(info.value)


def test_every_aggregated_raw_column_exists_in_its_table() -> None:
    # A family must aggregate columns of its own table (or columns it derives and the
    # glossary explains); otherwise its description would be looked up in the wrong place.
    for family in HISTORY_FAMILIES:
        derived = GLOSSARY["derived"].get(family.table, {})
        columns = table_schema(family.table).columns
        for feature in family.features():
            if feature.column is not None:
                assert feature.column in columns or feature.column in derived, feature.name
