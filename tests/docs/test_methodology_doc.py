"""docs/methodology.md shows exactly the metrics it claims to show, and `make docs` refreshes it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from catalog_paths import catalog_path

from credit_scoring_kedro.reporting import methodology_doc as doc

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("document", doc.DOCUMENTS)
def test_the_documents_table_is_the_committed_metrics_file(document) -> None:
    assert doc.check(DOCS / document, DOCS / "results") is None


def test_a_changed_metric_makes_the_check_fail(tmp_path) -> None:
    shutil.copytree(DOCS / "results", tmp_path / "results")
    results = pd.read_csv(tmp_path / "results" / doc.RESULTS_FILE)
    results.loc[0, "test_auc"] += 0.01
    results.to_csv(tmp_path / "results" / doc.RESULTS_FILE, index=False)
    problem = doc.check(DOCS / "methodology.md", tmp_path / "results")
    assert problem is not None and "make docs" in problem


def test_figures_the_note_shows_are_committed() -> None:
    text = (DOCS / "methodology.md").read_text(encoding="utf-8")
    slides = (DOCS / "presentation.md").read_text(encoding="utf-8")
    for figure in set(re.findall(r"figures/[a-z_]+\.png", slides)):
        assert (DOCS / figure).exists(), figure
    for name in doc.FIGURES:
        figure = f"figures/{name.removeprefix('fig_')}.png"
        assert figure in text
        assert (DOCS / figure).stat().st_size > 10_000


@pytest.fixture
def catalog_on(monitored_root):
    from credit_scoring_kedro.serving import artifacts

    with artifacts.data_root(monitored_root):
        yield monitored_root


def test_refresh_copies_the_latest_run_and_rewrites_the_table(catalog_on, tmp_path) -> None:
    note = tmp_path / "methodology.md"
    note.write_text(f"# note\n\n{doc.START}\nold table\n{doc.END}\n\nafter\n", encoding="utf-8")
    copied = doc.refresh([note], tmp_path)
    assert len(copied) == 3 + len(doc.FIGURES)
    run = pd.read_csv(catalog_path("model_results_table", catalog_on))
    assert pd.read_csv(tmp_path / "results" / doc.RESULTS_FILE).equals(run)
    text = note.read_text(encoding="utf-8")
    assert "old table" not in text and text.endswith("after\n")
    assert doc.check(note, tmp_path / "results") is None
    for model in run["model"]:
        assert f"| {model} |" in text


def test_the_fairness_table_shows_every_group_of_the_report(tmp_path) -> None:
    import json

    report = json.loads((DOCS / "results" / doc.FAIRNESS_FILE).read_text(encoding="utf-8"))
    table = doc.current_block((DOCS / "methodology.md").read_text(encoding="utf-8"),
                              doc.FAIRNESS_START, doc.FAIRNESS_END)
    for entry in report["attributes"].values():
        for group in entry["groups"]:
            assert f"| {group}" in table
    shutil.copytree(DOCS / "results", tmp_path / "results")
    report["attributes"]["CODE_GENDER"]["approval_rate_ratio"] = 0.5
    (tmp_path / "results" / doc.FAIRNESS_FILE).write_text(json.dumps(report), encoding="utf-8")
    assert "make docs" in doc.check(DOCS / "methodology.md", tmp_path / "results")
