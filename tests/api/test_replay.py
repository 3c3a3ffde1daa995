"""Every logged decision replays exactly from its record, and a changed record does not."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from catalog_paths import registry_of

from credit_scoring_kedro.audit import __main__ as audit_cli
from credit_scoring_kedro.audit.record import decode_features, seal
from credit_scoring_kedro.audit.replay import replay
from credit_scoring_kedro.modeling.registry_bundles import RegistryBundles
from credit_scoring_kedro.serving import artifacts
from credit_scoring_kedro.serving.prediction_log import PREDICTIONS


@pytest.fixture(scope="module")
def logged(client, service, records):
    """Ten decisions taken through POST /predict, and their rows as stored."""
    answer = client.post("/api/v1/predict", json={"clients": records[:10]})
    assert answer.status_code == 200
    request_id = answer.headers["X-Request-ID"]
    ids = [f"{request_id}-{i}" for i in range(10)]
    rows = audit_cli.logged_rows(service.log.url, ids, None)
    assert len(rows) == 10
    return rows


@pytest.fixture(scope="module")
def bundles(trained_root):
    return registry_of(trained_root)


def test_every_decision_replays_exactly_without_todays_tables(logged, bundles,
                                                              monkeypatch) -> None:

    def no_catalog(*args, **kwargs):
        raise AssertionError("a replay must not read today's artifacts")

    monkeypatch.setattr(artifacts, "load_artifact", no_catalog)
    monkeypatch.setattr(artifacts, "catalog", no_catalog)
    verdicts = [replay(row, bundles) for row in logged]
    assert all(v.matches for v in verdicts), [v.problems for v in verdicts if not v.matches]
    assert {v.replayed_decision for v in verdicts} <= {"granted", "refused"}
    assert all(v.replayed_probability == v.logged_probability for v in verdicts)
    assert all(v.history_snapshot for v in verdicts)
    row = decode_features(logged[0]["features"])
    assert row.size > 100


def tampered(row: dict, reseal: bool, **changes) -> dict:
    out = dict(row) | changes
    if reseal:   # a forger who knows the seal's recipe
        out["record_hash"] = seal(out)
    return out


def with_income(row: dict, factor: float) -> str:
    inputs = json.loads(row["inputs"])
    inputs["AMT_INCOME_TOTAL"] = inputs["AMT_INCOME_TOTAL"] * factor
    return json.dumps(inputs)


@pytest.mark.parametrize("reseal", [False, True], ids=["sealed", "resealed"])
def test_a_changed_input_does_not_replay(logged, bundles, reseal) -> None:
    verdict = replay(tampered(logged[0], reseal, inputs=with_income(logged[0], 3.0)), bundles)
    assert not verdict.matches
    assert verdict.checks["sealed"] is reseal
    assert verdict.checks["inputs_give_the_features"] is False
    assert any("AMT_INCOME_TOTAL" in p or "INCOME" in p for p in verdict.problems)


def test_a_changed_probability_or_decision_does_not_replay(logged, bundles) -> None:
    row = logged[1]
    flipped = "granted" if row["decision"] == "refused" else "refused"
    for change in ({"probability": row["probability"] + 1e-9}, {"decision": flipped}):
        verdict = replay(tampered(row, True, **change), bundles)
        assert verdict.checks["sealed"] and not verdict.matches, change


def test_a_decision_of_a_model_no_longer_kept_says_so(logged, bundles, tmp_path) -> None:
    empty = RegistryBundles(bundles.name, f"sqlite:///{tmp_path}/empty.db", tmp_path / "cache")
    verdict = replay(logged[2], empty)
    assert not verdict.matches and verdict.checks["model_kept"] is False
    assert "no longer kept in the registry" in verdict.problems[0]


def test_the_command_line_replays_by_decision_id(logged, trained_root, service, capsys) -> None:
    ids = [logged[0]["decision_id"], logged[3]["decision_id"]]
    with artifacts.data_root(trained_root):   # the root's registry and cache
        code = audit_cli.main(["replay", *ids, "--url", service.log.url])
    printed = capsys.readouterr().out
    assert code == 0 and printed.count("MATCHES") == 2 and "DOES NOT" not in printed
    engine = sa.create_engine(service.log.url)
    with engine.begin() as conn:   # somebody edits the stored record
        conn.execute(PREDICTIONS.update().where(PREDICTIONS.c.decision_id == ids[1])
                     .values(inputs=with_income(logged[3], 0.5)))
    engine.dispose()
    with artifacts.data_root(trained_root):
        assert audit_cli.main(["replay", ids[1], "--url", service.log.url]) == 1
        assert "DOES NOT MATCH" in capsys.readouterr().out
        assert audit_cli.main(["replay", "no-such-decision", "--url", service.log.url]) == 2
