"""Retraining end to end: a new run whose model loses stays challenger, and a restarted API
serves the champion; the run that wins would be served after the restart (see the modeling
tests for promotion)."""

from __future__ import annotations

import json
import shutil

from api.app import create_app


def test_a_losing_challenger_is_registered_but_the_restarted_api_serves_the_champion(
        trained_root, tmp_path, kedro, load_service) -> None:
    root = tmp_path / "data"
    shutil.copytree(trained_root, root)
    bundles = root / "06_models" / "model_bundle"
    champion = (bundles / "champion").read_text().strip()
    before = create_app(load_service(root, f"sqlite:///{tmp_path}/log.db"), api_key="")
    assert before.test_client().get("/api/v1/ready").get_json()["model_version"] == champion

    kedro(root, "--pipelines", "modeling", "--params", "modeling.profile=baseline_only")
    decision = json.loads((root / "08_reporting" / "registry_decision.json").read_text())
    assert decision["alias"] == "challenger" and decision["new_cost"] > decision["champion_cost"]
    challenger = (bundles / "challenger").read_text().strip()
    assert challenger != champion and (bundles / "versions" / challenger).is_dir()

    after = create_app(load_service(root, f"sqlite:///{tmp_path}/log2.db"), api_key="")
    ready = after.test_client().get("/api/v1/ready").get_json()
    assert ready["model_version"] == champion
    model = after.test_client().get("/api/v1/model").get_json()
    assert model["version"] == champion and model["candidate"] != "dummy"
