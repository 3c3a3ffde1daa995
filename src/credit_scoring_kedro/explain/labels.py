"""A short plain phrase for every feature, so no column name ever reaches a client.

Labels come from the glossary (``conf/base/feature_glossary.yml``), never from code: its
``labels``, then its ``label_patterns``, then, for a history aggregate, a phrase assembled
from the statistic, the column and the table ("Average delay on past instalments",
"Total debt at other lenders (open credits)"). The feature dictionary's sentences name
whole tables and raw columns: too long and too technical to read aloud, so they are only
the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from credit_scoring_kedro.explain.units import compile_rules, entry_kind

DATE_KINDS = ("date", "months_ago")   # their lowest value is the earliest


def feature_label(entry: Mapping, glossary: Mapping) -> str:
    """The label of one feature-dictionary entry (name, kind, source_table, statistic...)."""
    name = entry["name"]
    if name in glossary.get("labels", {}):
        return glossary["labels"][name]
    for rule in glossary.get("label_patterns", []):
        found = re.search(rule["pattern"], name)
        if found:
            words = (found.group(1) if found.groups() else name).replace("_", " ").lower()
            return rule["label"].format(words=words)
    if entry.get("kind") == "history_aggregate":
        label = _aggregate_label(entry, glossary)
        if label:
            return label
    return _first_clause(entry.get("description", "")) or name.replace("_", " ").capitalize()


def _aggregate_label(entry: Mapping, glossary: Mapping) -> str | None:
    source = glossary.get("sources", {}).get(entry.get("source_table"))
    if not isinstance(source, Mapping):
        return None
    statistic, column = entry.get("statistic"), entry.get("source_column")
    scope = glossary.get("scope_labels", {}).get(entry.get("scope"))
    suffix = f" ({scope})" if scope else ""
    if statistic == "count":
        return f"Number of {source['rows']}{suffix}"
    what = glossary.get("column_labels", {}).get(column)
    if statistic == "share":
        value = re.findall(r"'([^']*)'", entry.get("description", ""))
        category = value[-1].replace("_", " ").lower() if value else ""
        return f"Share of {source['rows']} with {what or 'the value'} {category}{suffix}".strip()
    if what is None:
        return None
    words = glossary.get("label_statistics", {})
    if entry_kind(entry, compile_rules(glossary)) in DATE_KINDS:
        words = {**words, **glossary.get("date_statistics", {})}
    stat = words.get(statistic) or glossary.get("statistics", {}).get(statistic, statistic)
    return f"{stat} {what} {source['where']}{suffix}"


def _first_clause(description: str) -> str:
    text = re.split(r"[,(;]", description or "")[0].strip().rstrip(".")
    return text or description
