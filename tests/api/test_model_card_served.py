"""The modeling run writes a model card for its version, and the API serves that same card."""

from __future__ import annotations

import json

from catalog_paths import catalog_path, served_bundle

from credit_scoring_kedro.modeling.model_card import render_markdown


def test_the_run_writes_the_card_of_the_served_version(trained_root) -> None:
    card = json.loads(catalog_path("model_card", trained_root).read_text())
    bundle = served_bundle(trained_root)
    assert card["model"]["version"] == bundle.version
    assert card["model"]["registry_version"] == bundle.metadata["registry"]["version"]
    assert bundle.metadata["model_card"] == card
    assert card["decision_threshold"]["threshold"] == bundle.threshold
    assert card["training_data"]["generated_demo_data"] is True     # the session's demo data
    assert card["known_limits"][0]["id"] == "generated_demo_data"
    assert card["performance"]["auc"]["low"] <= card["performance"]["auc"]["value"]
    assert card["performance"]["auc"]["value"] <= card["performance"]["auc"]["high"]
    assert card["performance"]["held_out_clients"] == card["training_data"]["test"]["clients"]
    markdown = catalog_path("model_card_markdown", trained_root).read_text()
    assert markdown == render_markdown(card)


def test_get_model_returns_the_served_version_s_card(client, trained_root) -> None:
    answer = client.get("/api/v1/model").get_json()
    card = json.loads(catalog_path("model_card", trained_root).read_text())
    assert answer["model_card"] == card
    assert answer["model_card"]["model"]["version"] == answer["version"]


def test_get_model_card_returns_the_markdown(client, trained_root) -> None:
    response = client.get("/api/v1/model/card")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.get_data(as_text=True) == (
        catalog_path("model_card_markdown", trained_root)).read_text()
    assert client.get("/api/v1/model/card?x=1").status_code == 422


def test_a_bundle_without_a_card_answers_null_and_404(client, service, monkeypatch) -> None:
    # a bundle trained before model cards existed (the metadata is restored after the test)
    monkeypatch.delitem(service.bundle.metadata, "model_card")
    assert client.get("/api/v1/model").get_json()["model_card"] is None
    response = client.get("/api/v1/model/card")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "no_model_card"
