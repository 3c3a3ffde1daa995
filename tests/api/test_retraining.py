"""Retraining end to end: a new run whose model loses stays challenger and the API keeps
serving the champion; when an operator moves the registry alias (``make promote``, then
``make rollback``: docs/deployment.md), ``POST /admin/reload`` makes both gunicorn workers
serve what the alias names, without a restart. (The modeling tests cover automatic
promotion of a cheaper challenger.)"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
import requests
from both_workers import ready_answers
from catalog_paths import catalog_path, registry_of

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.audit.__main__ import logged_rows
from credit_scoring_kedro.audit.replay import replay
from credit_scoring_kedro.modeling import registry_cli
from credit_scoring_kedro.serving import artifacts
from credit_scoring_kedro.serving.processes import (
    api_command,
    api_env,
    free_port,
    spawn,
    stop,
    wait_healthy,
)

KEY = "retraining-key-0123456789"


@pytest.fixture(scope="module")
def retrained(trained_root, tmp_path_factory, kedro) -> tuple[Path, str, str]:
    """A copy of the trained root after a second run that loses: (root, champion, challenger)."""
    root = tmp_path_factory.mktemp("retrained") / "data"
    shutil.copytree(trained_root, root)          # with its own MLflow store (mlflow.db)
    champion = registry_of(root).version_of("champion")
    kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=baseline_only")
    return root, champion, registry_of(root).version_of("challenger")


def test_a_losing_challenger_is_registered_but_the_api_serves_the_champion(
        retrained, tmp_path, load_service) -> None:
    root, champion, challenger = retrained
    decision = json.loads(catalog_path("registry_decision", root).read_text())
    assert decision["alias"] == "challenger" and decision["new_cost"] > decision["champion_cost"]
    assert challenger != champion
    assert registry_of(root).version_of("champion") == champion
    assert registry_of(root).load_version(challenger).metadata["candidate"] == "dummy"

    after = create_app(load_service(root, f"sqlite:///{tmp_path}/log.db"), access=Access.off())
    ready = after.test_client().get("/api/v1/ready").get_json()
    assert ready["model_version"] == champion
    model = after.test_client().get("/api/v1/model").get_json()
    assert model["version"] == champion and model["candidate"] != "dummy"


def test_a_promotion_and_a_rollback_reach_both_gunicorn_workers_through_the_reload_endpoint(
        retrained, tmp_path, capsys) -> None:
    source, champion, challenger = retrained
    root = tmp_path / "data"
    shutil.copytree(source, root)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = api_env(root, port, f"sqlite:///{tmp_path / 'predictions.db'}", key=KEY,
                  base={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                        # the checkout under test, when it is not the installed one
                        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}})
    assert env["MLFLOW_TRACKING_URI"] == f"sqlite:///{root}/mlflow.db"   # the root's registry
    url = f"http://127.0.0.1:{port}/api/v1"
    process = spawn(api_command(), env, log)
    try:
        wait_healthy("API", f"{url}/ready", process, 120, log)
        assert served_versions(url) == {champion}
        decisions = [decide(url)]

        # make promote VERSION=<challenger>: the registry alias moves, nothing else
        assert move(root, "promote", "--version", challenger) == 0
        assert f"champion {champion} -> {challenger}" in capsys.readouterr().out
        assert served_versions(url) == {champion}      # nothing changes by itself
        refused = requests.post(f"{url}/admin/reload", timeout=60)
        assert refused.status_code == 401
        answer = reload(url)
        assert answer["model_version"] == challenger and answer["changed"] is True
        wait_until_served(url, challenger, log)       # the other worker catches up
        model = requests.get(f"{url}/model", timeout=10).json()
        assert model["version"] == challenger and model["candidate"] == "dummy"
        decisions.append(decide(url))

        # make rollback: the previous champion is served again, still without a restart
        assert move(root, "rollback") == 0
        assert f"champion {challenger} -> {champion} (rolled back)" in capsys.readouterr().out
        assert reload(url)["model_version"] == champion
        wait_until_served(url, champion, log)
        assert requests.get(f"{url}/model", timeout=10).json()["version"] == champion
        decisions.append(decide(url))
    finally:
        assert stop([process]) == [0]
    # each version was downloaded once into the root's registry cache, and only those
    cache = registry_of(root).cache_dir
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == \
        sorted([champion, challenger])
    # the history store is rebuilt (here: gone): decisions of both versions still replay
    catalog_path("feat_client_history", root).unlink()
    rows = logged_rows(f"sqlite:///{tmp_path / 'predictions.db'}", decisions, None)
    verdicts = [replay(row, registry_of(root)) for row in rows]
    assert sorted(v.model_version for v in verdicts) == sorted([champion, challenger, champion])
    assert all(v.matches for v in verdicts), [v.problems for v in verdicts]


def move(root: Path, *args: str) -> int:
    """``make promote`` / ``make rollback`` on the data root ``root`` (its own registry)."""
    with artifacts.data_root(root):
        return registry_cli.main(list(args))


def reload(url: str) -> dict:
    answer = requests.post(f"{url}/admin/reload", headers={"X-API-Key": KEY}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_until_served(url: str, version: str, log: Path) -> None:
    """Until both workers answer with ``version`` (the one not reloaded catches up)."""
    deadline = time.monotonic() + 60
    while served_versions(url) != {version}:
        assert time.monotonic() < deadline, f"workers still serve another model:\n" \
                                            f"{log.read_text()[-3000:]}"
        time.sleep(0.5)


def decide(url: str) -> str:
    """One decision through POST /predict; its decision id."""
    headers = {"X-API-Key": KEY}
    client_id = requests.get(f"{url}/clients?page_size=1", headers=headers,
                             timeout=30).json()["clients"][0]["client_id"]
    record = requests.get(f"{url}/clients/{client_id}", headers=headers,
                          timeout=30).json()["application"]
    answer = requests.post(f"{url}/predict", json={"clients": [record]}, headers=headers,
                           timeout=30)
    assert answer.status_code == 200, answer.text
    return f"{answer.headers['X-Request-ID']}-0"


def served_versions(url: str, timeout: float = 60) -> set[str]:
    """The versions the two workers answer with, once both have answered."""
    return {answer["model_version"] for answers in ready_answers(url, timeout).values()
            for answer in answers}
