"""Comparisons with past clients: the group a manager chooses, where the client stands, counts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from catalog_paths import catalog_path

from credit_scoring_kedro.serving.client_profile import AGE_BANDS, band
from credit_scoring_kedro.serving.peer_groups import GROUPS, _round_edges


@pytest.fixture(scope="module")
def past(trained_root) -> pl.DataFrame:
    """The past (training) clients with their outcome, as the pipelines wrote them."""
    features = pl.read_parquet(catalog_path("feat_train", trained_root),
                               columns=["SK_ID_CURR", "DAYS_BIRTH", "AMT_INCOME_TOTAL",
                                        "NAME_CONTRACT_TYPE"])
    flags = pl.read_parquet(catalog_path("prm_default_flags", trained_root))
    return features.join(flags, on="SK_ID_CURR", how="inner")


def compare(client, client_id: int, **params) -> dict:
    response = client.get(f"/api/v1/clients/{client_id}/comparison", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_group_a_manager_can_choose_is_offered_and_sized(client, client_ids,
                                                               past) -> None:
    client_id = client_ids[0]
    answer = compare(client, client_id)
    assert [g["key"] for g in answer["groups"]] == list(GROUPS)
    assert answer["group"]["key"] == "similar" and answer["group"]["size"] == 50
    every = compare(client, client_id, group="all")["group"]
    assert every["size"] == past.height
    assert every["defaulted"] == int(past["TARGET"].sum())
    assert every["default_rate"] == pytest.approx(past["TARGET"].mean())


def test_the_age_band_group_holds_exactly_the_past_clients_of_the_clients_band(
        client, service, client_ids, past) -> None:
    client_id = client_ids[1]
    age = abs(service.book.feature_row(client_id)["DAYS_BIRTH"]) / 365.25
    name = band(age, AGE_BANDS)
    ages = (past["DAYS_BIRTH"].abs() / 365.25).to_list()
    members = [i for i, a in enumerate(ages) if band(a, AGE_BANDS) == name]
    answer = compare(client, client_id, group="age_band")
    assert answer["group"]["name"] == f"Past clients aged {name}"
    assert answer["group"]["size"] == len(members)
    assert answer["group"]["defaulted"] == int(past["TARGET"].to_numpy()[members].sum())


def test_a_factor_says_where_the_client_stands_in_the_clients_units(client, service,
                                                                    client_ids, past) -> None:
    client_id = client_ids[2]
    answer = compare(client, client_id, group="all", feature="AMT_INCOME_TOTAL")
    assert 1 <= len(answer["factors"]) <= 6
    explained = client.get(f"/api/v1/clients/{client_id}/explanation?top_k=20").get_json()
    weights = {f["feature"]: abs(f["contribution"])
               for f in explained["raises_risk"] + explained["lowers_risk"]}
    shown = [weights[f["feature"]] for f in answer["factors"]]
    assert shown == sorted(shown, reverse=True)              # the weightiest factors first
    for factor in answer["factors"]:
        assert factor["feature"] in weights
        assert not factor["label"].isupper()                 # a label, never a column name
        if factor["percentile"] is not None:
            assert 0 <= factor["percentile"] <= 100
            assert " % of them" in factor["standing"] or "middle" in factor["standing"]
    income = service.book.feature_row(client_id)["AMT_INCOME_TOTAL"]
    values = past["AMT_INCOME_TOTAL"].to_numpy()
    distribution = answer["distribution"]
    assert distribution["client_display"] == f"€{income:,.0f}"
    assert distribution["axis_title"] == "Yearly income (€)"
    counted = sum(distribution["repaid"]) + sum(distribution["defaulted"])
    assert counted + distribution["unknown"] == answer["group"]["size"]
    assert sum(distribution["defaulted"]) == int(past["TARGET"].filter(
        pl.Series(np.isfinite(values))).sum())
    edges = distribution["bin_edges"]
    assert len(distribution["bins"]) == len(edges) - 1
    assert edges[distribution["client_bin"]] <= max(income, edges[0])
    assert distribution["bins"][0].startswith("under €")


def test_a_percentile_in_words_counts_the_group(service, client_ids) -> None:
    groups = service.groups
    rows = np.arange(len(groups))
    values = groups.values[:, groups.features.index("AMT_INCOME_TOTAL")]
    median = float(np.nanmedian(values))
    standing = groups.standing("AMT_INCOME_TOTAL", median, rows)
    assert 40 <= standing["percentile"] <= 60
    assert standing["group_median_display"] == f"€{median:,.0f}"
    high = groups.standing("AMT_INCOME_TOTAL", float(np.nanmax(values)) + 1, rows)
    assert high["percentile"] == 100 and high["standing"] == "higher than 99 % of them"
    older = groups.standing("DAYS_BIRTH", float(np.nanmin(groups.values[
        :, groups.features.index("DAYS_BIRTH")])) - 1, rows)   # more negative days: older
    assert older["standing"] == "older than 99 % of them"


def test_similar_clients_come_with_their_key_figures_in_words(client, client_ids) -> None:
    answer = client.get(f"/api/v1/clients/{client_ids[0]}/similar?k=5").get_json()
    figures = [f["feature"] for f in answer["figures"]]
    assert figures[:1] == ["DAYS_BIRTH"] and "NAME_CONTRACT_TYPE" in figures
    assert all(not f["label"].isupper() for f in answer["figures"])
    for past_client in answer["clients"]:
        assert set(past_client["figures"]) == set(figures)
        age = past_client["figures"]["DAYS_BIRTH"]
        assert age == "not given" or age.endswith(" years")
        credit = past_client["figures"]["AMT_CREDIT"]
        assert credit == "not given" or credit.startswith("€")


def test_the_search_lists_figures_as_the_other_pages_write_them(client, service) -> None:
    answer = client.get("/api/v1/clients?page_size=5").get_json()
    assert answer["labels"] == {"age_years": "Age", "income": "Yearly income",
                                "credit": "Loan amount"}
    for row in answer["clients"]:
        fields = {f["name"]: f["display"]
                  for f in client.get(f"/api/v1/clients/{row['client_id']}").get_json()["fields"]}
        assert row["display"] == {"age_years": fields["DAYS_BIRTH"],
                                  "income": fields["AMT_INCOME_TOTAL"],
                                  "credit": fields["AMT_CREDIT"]}


@pytest.mark.parametrize("query, status", [("group=neighbours", 422),
                                           ("feature=SK_ID_CURR", 404)])
def test_a_wrong_group_or_feature_is_refused_with_the_choices(client, client_ids, query,
                                                              status) -> None:
    response = client.get(f"/api/v1/clients/{client_ids[0]}/comparison?{query}")
    assert response.status_code == status
    text = str(response.get_json()["error"])
    assert ("age_band" in text) if status == 422 else ("AMT_INCOME_TOTAL" in text)


def test_an_unknown_client_has_no_comparison(client) -> None:
    assert client.get("/api/v1/clients/7/comparison").status_code == 404


def test_round_edges_cover_the_range_in_round_steps() -> None:
    edges = _round_edges(23_000.0, 412_000.0)
    assert edges[0] <= 23_000 and edges[-1] >= 412_000
    steps = set(np.round(np.diff(edges), 6))
    assert len(steps) == 1 and steps.pop() in (25_000, 50_000)
