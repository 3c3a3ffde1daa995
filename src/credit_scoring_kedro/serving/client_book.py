"""The clients a relationship manager looks up: application_test's applicants, scored once.

Holds their feature rows (for explanations), their encoded matrix, their probabilities and a
small directory table for filtering and paging. Built once at API start-up from
``feat_test``; the probabilities come from the served bundle's own encoder, as in batch scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from credit_scoring_kedro.features.domain import DAYS_EMPLOYED_ANOMALY
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.serving.client_profile import AGE_BANDS, GENDERS, INCOME_BANDS, band
from credit_scoring_kedro.serving.request_schema import application_columns

ID = "SK_ID_CURR"

#: Query parameter -> directory column, for GET /clients filters.
FILTERS = {"gender": "gender", "age_band": "age_band", "income_band": "income_band",
           "contract_type": "contract_type", "family_status": "family_status",
           "decision": "decision"}


@dataclass
class ClientBook:
    features: pl.DataFrame        # one feature row per client, as the pipelines built it
    encoded: np.ndarray           # (clients, model features) float32
    probability: np.ndarray
    decision: np.ndarray
    directory: pd.DataFrame       # descriptive columns used by filters and lists
    row_of: dict[int, int]
    filter_options: dict[str, list[str]]   # from the directory, once (every GET /clients reads it)

    @classmethod
    def build(cls, features: pl.DataFrame, bundle: ModelBundle, predict) -> ClientBook:
        """``predict``: matrix -> probabilities (the scorer's fast path)."""
        encoded = bundle.encoder.transform(features.select(bundle.features)).to_numpy(np.float32)
        probability = predict(encoded) if len(encoded) else np.empty(0)
        decision = bundle.decide(probability)
        ids = features.get_column(ID).to_numpy()
        directory = _directory(features, probability, decision)
        return cls(features, np.ascontiguousarray(encoded), probability, decision, directory,
                   {int(i): r for r, i in enumerate(ids)}, _filter_options(directory))

    def __contains__(self, client_id: int) -> bool:
        return client_id in self.row_of

    def __len__(self) -> int:
        return len(self.row_of)

    def feature_row(self, client_id: int) -> dict:
        return self.features.row(self.row_of[client_id], named=True)

    def encoded_row(self, client_id: int) -> np.ndarray:
        row = self.row_of[client_id]
        return self.encoded[row:row + 1]

    def score(self, client_id: int) -> tuple[float, str]:
        row = self.row_of[client_id]
        return float(self.probability[row]), str(self.decision[row])

    def application_record(self, client_id: int) -> dict:
        """The client's application as ``POST /predict`` takes it (raw application columns).

        The feature table holds DAYS_EMPLOYED cleaned; Home Credit's "no employment" code is
        restored from its flag, so re-scoring the record gives the same probability.
        """
        return application_record(self.feature_row(client_id))

    def filter_values(self) -> dict[str, list[str]]:
        """The values each filter can take (for the dashboard's pickers)."""
        return self.filter_options

    def search(self, filters: dict[str, str], page: int, page_size: int) -> tuple[int, list[dict]]:
        """Total number of matching clients and the requested page of them."""
        mask = np.ones(len(self.directory), dtype=bool)
        for name, value in filters.items():
            mask &= (self.directory[FILTERS[name]] == value).to_numpy()
        matching = self.directory[mask]
        start = (page - 1) * page_size
        chunk = matching.iloc[start:start + page_size]
        records = chunk.astype(object).where(chunk.notna(), None).to_dict("records")
        return int(mask.sum()), records


def application_record(row: dict) -> dict:
    """A feature-table row back to the raw application record ``POST /predict`` takes."""
    record = {c: row.get(c) for c in application_columns() if c in row}
    if row.get("DAYS_EMPLOYED_ANOMALY") == 1.0:
        record["DAYS_EMPLOYED"] = DAYS_EMPLOYED_ANOMALY
    for column, dtype in application_columns().items():
        value = record.get(column)
        if dtype == "int" and value is not None:
            record[column] = int(value)
        elif isinstance(value, float) and np.isnan(value):
            record[column] = None
    return record


def _filter_options(directory: pd.DataFrame) -> dict[str, list[str]]:
    out = {}
    for name, column in FILTERS.items():
        values = directory[column].dropna().unique().tolist()
        if name == "age_band":
            order = [b[2] for b in AGE_BANDS]
        elif name == "income_band":
            order = [b[2] for b in INCOME_BANDS]
        else:
            order = sorted(values)
        out[name] = [v for v in order if v in values]
    return out


def _directory(features: pl.DataFrame, probability: np.ndarray, decision: np.ndarray) -> pd.DataFrame:
    def column(name: str) -> pd.Series:
        if name in features.columns:
            return features.get_column(name).to_pandas()
        return pd.Series([None] * features.height)

    age = (column("DAYS_BIRTH").astype(float).abs() / 365.25).round(1)
    income = column("AMT_INCOME_TOTAL").astype(float)
    return pd.DataFrame({
        "client_id": column(ID).astype("int64"),
        "gender": column("CODE_GENDER").map(lambda g: GENDERS.get(g, g)),
        "age_years": age,
        "age_band": age.map(lambda a: band(a, AGE_BANDS)),
        "income": income,
        "income_band": income.map(lambda v: band(v, INCOME_BANDS)),
        "credit": column("AMT_CREDIT").astype(float),
        "contract_type": column("NAME_CONTRACT_TYPE"),
        "family_status": column("NAME_FAMILY_STATUS"),
        "probability": probability.round(4),
        "decision": decision,
    })
