"""Describe every feature in plain language, with the table it comes from.

Raw columns take the competition's own column dictionary; engineered columns take
the project glossary (``conf/base/feature_glossary.yml``). A feature that neither
explains is an error, so no feature reaches a client-facing explanation unexplained.
"""

from __future__ import annotations

import pandas as pd

from credit_scoring_kedro.features.aggregation import AggregateFeature, Family
from credit_scoring_kedro.schema import raw_schemas

APPLICATION_TABLE = "application"


def raw_column_descriptions(description: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(table, column) -> description from HomeCredit_columns_description.csv."""
    by_file = {f"{s.file}.csv".lower(): name for name, s in raw_schemas().items()}
    by_file["application_{train|test}.csv"] = APPLICATION_TABLE
    out: dict[tuple[str, str], str] = {}
    for table, column, text in description[["Table", "Row", "Description"]].itertuples(index=False):
        key = by_file.get(str(table).strip().lower())
        if key is not None:
            out[(key, str(column).strip())] = " ".join(str(text).split())
    return out


def describe_features(
    columns: list[str],
    families: list[Family],
    raw_descriptions: dict[tuple[str, str], str],
    glossary: dict,
) -> list[dict]:
    """One entry per feature column: name, source table, kind and description.

    Raises:
        ValueError: A column has no description anywhere.
    """
    aggregates = {f.name: f for family in families for f in family.features()}
    domain = glossary.get("domain", {})
    entries, undescribed = [], []
    for name in columns:
        if name in aggregates:
            feature = aggregates[name]
            entries.append({
                "name": name, "source_table": feature.table, "kind": "history_aggregate",
                "source_column": feature.column, "statistic": feature.statistic,
                "scope": feature.scope,
                "description": _aggregate_sentence(feature, raw_descriptions, glossary),
            })
        elif name in domain:
            entries.append({"name": name, "source_table": APPLICATION_TABLE, "kind": "domain",
                            "description": domain[name]})
        elif (APPLICATION_TABLE, name) in raw_descriptions:
            entries.append({"name": name, "source_table": APPLICATION_TABLE, "kind": "application",
                            "description": raw_descriptions[(APPLICATION_TABLE, name)]})
        else:
            undescribed.append(name)
    if undescribed:
        raise ValueError(f"No description for feature(s): {', '.join(undescribed)}")
    return entries


def _aggregate_sentence(feature: AggregateFeature, raw: dict, glossary: dict) -> str:
    rows = glossary["tables"][feature.table]
    if feature.scope:
        rows = f"{rows} ({glossary['scopes'][feature.scope]} only)"
    if feature.statistic == "count":
        return f"Number of {rows}"
    what = _column_phrase(feature.table, feature.column, raw, glossary)
    if feature.statistic == "share":
        return f"Share of {rows} where {what} is '{feature.label}'"
    return f"{glossary['statistics'][feature.statistic]} {what} over {rows}"


def _column_phrase(table: str, column: str | None, raw: dict, glossary: dict) -> str:
    derived = glossary.get("derived", {}).get(table, {})
    if column in derived:
        return derived[column]
    text = raw.get((table, column))
    if text is None:
        raise ValueError(f"No description for column {column} of table {table}")
    text = text.rstrip(".")
    if len(text) > 1 and text[1].islower():  # keep acronyms such as "DPD" intact
        text = text[0].lower() + text[1:]
    return text or str(column)
