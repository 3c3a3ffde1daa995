"""Client lookup, explanation, similar clients, comparisons: each answer checked against its source."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from catalog_paths import catalog_path, raw_dir


@pytest.fixture(scope="module")
def flags(trained_root) -> dict[int, int]:
    table = pl.read_parquet(catalog_path("prm_default_flags", trained_root))
    return dict(zip(table["SK_ID_CURR"].to_list(), table["TARGET"].to_list(), strict=True))


def test_ready_and_model_describe_the_served_bundle(client, service) -> None:
    ready = client.get("/api/v1/ready").get_json()
    assert ready["status"] == "ready"
    assert ready["model_version"] == service.bundle.version
    assert ready["clients"] == len(service.book) == 300
    model = client.get("/api/v1/model").get_json()
    assert model["threshold"] == service.bundle.threshold
    assert model["features"] == service.bundle.features
    assert model["cost_weights"] == {"false_negative": 10.0, "false_positive": 1.0}
    assert 0.0 <= model["metrics"]["auc"] <= 1.0


def test_filters_and_pages_select_exactly_the_matching_clients(client, service) -> None:
    directory = service.book.directory
    expected = directory[(directory.gender == "Female") & (directory.decision == "refused")]
    seen = []
    page = 1
    while True:
        answer = client.get(f"/api/v1/clients?gender=Female&decision=refused&page={page}"
                            "&page_size=7").get_json()
        assert answer["total"] == len(expected)
        seen += answer["clients"]
        if page >= answer["pages"]:
            break
        page += 1
    assert [c["client_id"] for c in seen] == expected.client_id.tolist()
    assert all(c["gender"] == "Female" and c["decision"] == "refused" for c in seen)
    beyond = client.get(f"/api/v1/clients?page={page + 1}&page_size=7&gender=Female"
                        "&decision=refused").get_json()
    assert beyond["clients"] == []
    assert "Female" in answer["available_filters"]["gender"]


def test_client_information_is_in_readable_units(client, trained_root, client_ids) -> None:
    raw = pl.read_csv(raw_dir(trained_root) / "application_test.csv")
    client_id = client_ids[3]
    row = raw.filter(pl.col("SK_ID_CURR") == client_id).row(0, named=True)
    answer = client.get(f"/api/v1/clients/{client_id}").get_json()
    fields = {f["name"]: f for f in answer["fields"]}
    assert fields["DAYS_BIRTH"]["label"] == "Age"
    assert fields["DAYS_BIRTH"]["value"] == round(abs(row["DAYS_BIRTH"]) / 365.25, 1)
    assert fields["DAYS_BIRTH"]["display"] == f"{int(abs(row['DAYS_BIRTH']) // 365.25)} years"
    # the glossary's currency, as in every sentence of the explanations
    assert fields["AMT_INCOME_TOTAL"]["display"] == f"€{row['AMT_INCOME_TOTAL']:,.0f}"
    assert fields["CODE_GENDER"]["display"] in ("Female", "Male")
    assert all(not f["label"].isupper() for f in answer["fields"])  # labels, not column names
    application = answer["application"]
    for column, value in row.items():    # the raw application comes back as it was filed
        if value is None or (isinstance(value, float) and math.isnan(value)):
            assert application[column] is None
        else:
            assert application[column] == pytest.approx(value), column


def test_explanation_factors_point_the_right_way_with_sentences(client, client_ids) -> None:
    for client_id in client_ids[:10]:
        answer = client.get(f"/api/v1/clients/{client_id}/explanation?top_k=4").get_json()
        score = client.get(f"/api/v1/clients/{client_id}/score").get_json()
        assert answer["probability"] == score["probability"]
        assert len(answer["raises_risk"]) <= 4 and len(answer["lowers_risk"]) <= 4
        # a factor says which way it moves the risk, or that it weighs little (small ones)
        assert all(f["contribution"] > 0 and ("raises the risk" in f["sentence"]
                                              or "weighs little" in f["sentence"])
                   for f in answer["raises_risk"])
        assert all(f["contribution"] < 0 and ("lowers the risk" in f["sentence"]
                                              or "weighs little" in f["sentence"])
                   for f in answer["lowers_risk"])
        assert not any("raises the risk" in f["sentence"] for f in answer["lowers_risk"])
        contributions = [f["contribution"] for f in answer["raises_risk"]]
        assert contributions == sorted(contributions, reverse=True)
        if answer["space"] == "calibrated log-odds":   # SHAP adds up to the served probability
            p = answer["probability"]
            assert answer["log_odds"] == pytest.approx(math.log(p / (1 - p)), abs=1e-4)


def test_score_reading_matches_the_margin(client, client_ids) -> None:
    for client_id in client_ids[:30]:
        score = client.get(f"/api/v1/clients/{client_id}/score").get_json()
        above = score["probability"] >= score["threshold"]
        assert ("above" in score["reading"]) == above
        assert score["decision"] == ("refused" if above else "granted")


def test_similar_clients_are_training_clients_with_their_true_outcome(client, client_ids,
                                                                     flags) -> None:
    answer = client.get(f"/api/v1/clients/{client_ids[0]}/similar?k=8").get_json()
    assert answer["k"] == len(answer["clients"]) == 8
    for similar in answer["clients"]:
        assert similar["client_id"] in flags
        assert similar["defaulted"] == bool(flags[similar["client_id"]])
    distances = [c["distance"] for c in answer["clients"]]
    assert distances == sorted(distances)
    assert answer["default_rate"] == pytest.approx(np.mean([c["defaulted"]
                                                            for c in answer["clients"]]))


def test_population_compares_the_client_with_all_and_similar_clients(client, service,
                                                                     client_ids) -> None:
    features = client.get("/api/v1/features").get_json()["features"]
    names = [f["feature"] for f in features]
    assert "DAYS_BIRTH" in names and "AMT_INCOME_TOTAL" in names
    client_id = client_ids[0]
    age = client.get(f"/api/v1/population/DAYS_BIRTH?client_id={client_id}&k=20").get_json()
    assert age["unit"] == "years"
    assert age["bin_edges"] == sorted(age["bin_edges"]) and age["bin_edges"][0] > 0
    for group in ("all", "defaulted", "repaid", "similar"):
        assert sum(age["histograms"][group]) == pytest.approx(1.0, abs=1e-3)
    assert age["similar_count"] == 20
    expected_age = abs(service.book.feature_row(client_id)["DAYS_BIRTH"]) / 365.25
    assert age["client_value"] == pytest.approx(expected_age)
    assert 0.0 <= age["client_percentile"] <= 100.0
    income = client.get(f"/api/v1/population/AMT_INCOME_TOTAL?client_id={client_id}").get_json()
    assert income["client_value"] == pytest.approx(
        service.book.feature_row(client_id)["AMT_INCOME_TOTAL"])
    unknown = client.get("/api/v1/population/SK_ID_CURR")
    assert unknown.status_code == 404
    assert "DAYS_BIRTH" in unknown.get_json()["error"]["message"]   # lists the valid choices


def test_global_importance_is_ranked(client) -> None:
    table = client.get("/api/v1/features/importance?top=10").get_json()["features"]
    assert len(table) == 10
    values = [f["mean_abs_shap"] for f in table]
    assert values == sorted(values, reverse=True)
    assert [f["rank"] for f in table] == list(range(1, 11))


def test_openapi_document_and_docs_page_list_every_endpoint(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/predict", "/api/v1/clients/{client_id}/explanation",
            "/api/v1/population/{feature}"} <= set(document["paths"])
    body = document["paths"]["/api/v1/predict"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("PredictRequest")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/clients/{client_id}/similar" in page
