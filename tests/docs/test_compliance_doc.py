"""docs/compliance.md maps every obligation to evidence that exists: files, tests, make targets.

The table is only worth something if what it names is real. Each backticked reference in the
evidence column is checked: a path must exist in the repository, ``tests/x.py::test_name``
must name a test function defined in that file, ``make <target>`` a target of the Makefile.
A row without a test, or an obligation without a row, fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compliance.md"
OBLIGATIONS = ["AI Act Art. 9", "AI Act Art. 10", "AI Act Art. 11", "AI Act Art. 12",
               "AI Act Art. 13", "AI Act Art. 14", "AI Act Art. 15", "GDPR Art. 22"]
REFERENCE = re.compile(r"`([^`]+)`")


def table_rows(text: str) -> dict[str, str]:
    """Obligation (first cell) -> evidence (last cell) of each row of the obligations table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 3 and not set(cells[0]) <= {"-", ":"}:
            rows[cells[0]] = cells[-1]
    return rows


def defined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_.-]+):", text, flags=re.MULTILINE))


def problems_of(reference: str, targets: set[str]) -> str | None:
    """What is wrong with one backticked reference (None when it exists)."""
    if reference.startswith("make "):
        target = reference.split()[1]
        return None if target in targets else f"no make target {target!r}"
    if "::" in reference:
        file, _, name = reference.partition("::")
        path = ROOT / file
        if not path.is_file():
            return f"no test file {file}"
        return None if name.split("[")[0] in defined_names(path) else f"no {name} in {file}"
    if "/" in reference or reference.endswith((".md", ".yml", ".py", ".json")):
        path = ROOT / reference.rstrip("/")
        return None if path.exists() else f"no file {reference}"
    return None   # an endpoint, a command or a column name: not a file


def evidence(text: str) -> dict[str, list[str]]:
    return {obligation: REFERENCE.findall(cell) for obligation, cell in table_rows(text).items()}


@pytest.fixture(scope="module")
def document() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_obligation_has_a_row_with_an_artifact_and_a_test(document) -> None:
    rows = evidence(document)
    for obligation in OBLIGATIONS:
        found = [cells for name, cells in rows.items() if name.startswith(obligation)]
        assert found, f"docs/compliance.md has no row for {obligation}"
        references = [r for cells in found for r in cells]
        assert any("::" in r for r in references), f"{obligation}: no test named"
        assert any("::" not in r and "/" in r for r in references), f"{obligation}: no artifact"


def test_every_reference_in_the_table_exists(document) -> None:
    targets = make_targets()
    missing = [f"{obligation}: {problem}"
               for obligation, references in evidence(document).items()
               for reference in references
               if (problem := problems_of(reference, targets)) is not None]
    assert not missing, "\n".join(missing)


def test_a_missing_reference_is_caught() -> None:
    targets = make_targets()
    assert problems_of("tests/api/test_replay.py::no_such_test", targets) is not None
    assert problems_of("docs/no_such_file.md", targets) is not None
    assert problems_of("make no-such-target", targets) is not None
    assert problems_of("README.md", targets) is None
    fake = "| GDPR Art. 22 | x | `tests/nowhere.py::test_a` |\n"
    assert evidence(fake) == {"GDPR Art. 22": ["tests/nowhere.py::test_a"]}
