"""Retraining end to end: a new run whose model loses stays challenger and the API keeps
serving the champion; when an operator promotes a version (the rollback/roll-out path of
docs/deployment.md), ``POST /admin/reload`` makes every gunicorn worker serve it without a
restart. (The modeling tests cover automatic promotion of a cheaper challenger.)"""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from catalog_paths import catalog_path

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.audit.__main__ import logged_rows
from credit_scoring_kedro.audit.replay import replay
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
    shutil.copytree(trained_root, root)
    bundles = catalog_path("model_bundle", root)
    champion = (bundles / "champion").read_text().strip()
    kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=baseline_only")
    return root, champion, (bundles / "challenger").read_text().strip()


def test_a_losing_challenger_is_registered_but_the_api_serves_the_champion(
        retrained, tmp_path, load_service) -> None:
    root, champion, challenger = retrained
    decision = json.loads(catalog_path("registry_decision", root).read_text())
    assert decision["alias"] == "challenger" and decision["new_cost"] > decision["champion_cost"]
    assert challenger != champion
    assert (catalog_path("model_bundle", root) / "versions" / challenger).is_dir()

    after = create_app(load_service(root, f"sqlite:///{tmp_path}/log.db"), access=Access.off())
    ready = after.test_client().get("/api/v1/ready").get_json()
    assert ready["model_version"] == champion
    model = after.test_client().get("/api/v1/model").get_json()
    assert model["version"] == champion and model["candidate"] != "dummy"


def test_a_promoted_version_reaches_every_gunicorn_worker_through_the_reload_endpoint(
        retrained, tmp_path) -> None:
    source, champion, challenger = retrained
    root = tmp_path / "data"
    shutil.copytree(source, root)
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = api_env(root, port, f"sqlite:///{tmp_path / 'predictions.db'}", key=KEY,
                  base={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    url = f"http://127.0.0.1:{port}/api/v1"
    process = spawn(api_command(), env, log)
    try:
        wait_healthy("API", f"{url}/ready", process, 120, log)
        assert served_versions(url) == {champion}
        decisions = [decide(url)]

        (catalog_path("model_bundle", root) / "champion").write_text(challenger + "\n")
        assert served_versions(url) == {champion}      # nothing changes by itself
        refused = requests.post(f"{url}/admin/reload", timeout=60)
        assert refused.status_code == 401
        answer = requests.post(f"{url}/admin/reload", headers={"X-API-Key": KEY}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["model_version"] == challenger

        # the other worker loads it in the background on its next request
        deadline = time.monotonic() + 60
        while served_versions(url) != {challenger}:
            assert time.monotonic() < deadline, f"workers still serve the old model:\n" \
                                                f"{log.read_text()[-3000:]}"
            time.sleep(0.5)
        assert requests.get(f"{url}/model", timeout=10).json()["version"] == challenger
        decisions.append(decide(url))
    finally:
        assert stop([process]) == [0]
    # the history store is rebuilt (here: gone): decisions of both versions still replay
    catalog_path("feat_client_history", root).unlink()
    rows = logged_rows(f"sqlite:///{tmp_path / 'predictions.db'}", decisions, None)
    verdicts = [replay(row, catalog_path("model_bundle", root)) for row in rows]
    assert sorted(v.model_version for v in verdicts) == sorted([champion, challenger])
    assert all(v.matches for v in verdicts), [v.problems for v in verdicts]


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
    """The versions the two workers answer with: requests go four at a time (a sync worker
    takes one at a time, so both get some) until both workers, told apart by their process
    ids, have answered."""
    versions: dict[int, set[str]] = {}
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(4) as pool:
        while len(versions) < 2:
            assert time.monotonic() < deadline, "only one gunicorn worker ever answered"
            for answer in pool.map(lambda _: requests.get(f"{url}/ready", timeout=30).json(),
                                   range(8)):
                versions.setdefault(answer["worker_pid"], set()).add(answer["model_version"])
    return set().union(*versions.values())
