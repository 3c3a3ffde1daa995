"""Response shapes, as pydantic models: they generate the OpenAPI document that schemathesis
checks every answer against (the handlers return plain dicts of the same shape)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Number = float


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Strict):
    status: int
    code: str
    message: str
    details: list[dict]


class ErrorResponse(Strict):
    error: ErrorBody
    request_id: str


class Health(Strict):
    status: Literal["ok"]


class PredictionLogStats(Strict):
    """Rows of the decisions and the access audit, summed over every worker."""

    written: int
    spilled: int      # to the local spill file while the database failed
    replayed: int     # from spill files into the database
    failed: int       # neither: the request was answered 503
    last_error: str | None   # this worker's


class Ready(Strict):
    status: Literal["ready", "not ready"]
    model_version: str | None
    clients: int
    reason: str | None
    prediction_log: PredictionLogStats | None
    loaded_in_s: Number | None
    worker_pid: int


class Reloaded(Strict):
    status: Literal["reloaded"]
    previous_version: str | None
    model_version: str
    changed: bool
    generation: int
    loaded_in_s: Number


class CostWeights(Strict):
    false_negative: Number
    false_positive: Number


class ModelInfo(Strict):
    name: str
    version: str
    alias: str
    candidate: str | None
    calibration: str | None
    trained_at: str | None
    threshold: Number
    cost_weights: CostWeights
    metrics: dict[str, Number]
    n_features: int
    features: list[str]
    # the served version's model card (modeling/model_card.py; None: trained before cards)
    model_card: dict[str, Any] | None


class Reason(Strict):
    code: str
    reason: str
    contribution: Number


class Proposal(Strict):
    """One change that turns a refusal into an approval; amounts in the application's units."""

    lever: Literal["loan_amount", "term", "co_borrower_income"]
    current: Number
    proposed: Number
    probability: Number
    sentence: str
    annuity: Number | None = None
    goods_price: Number | None = None
    current_annuity: Number | None = None
    extension_months: Number | None = None
    added_income: Number | None = None


class WhatWouldChange(Strict):
    proposals: list[Proposal]
    message: str | None


class Prediction(Strict):
    client_id: int | None
    probability: Number
    decision: Literal["granted", "refused"]
    threshold: Number
    model_version: str
    has_history: bool
    reasons: list[Reason]


class Simulation(Prediction):
    what_would_change: WhatWouldChange | None


class SimulateResponse(Strict):
    model_version: str
    threshold: Number
    simulated: Literal[True]
    predictions: list[Simulation]


class PredictResponse(Strict):
    model_version: str
    threshold: Number
    request_id: str
    predictions: list[Prediction]


class ClientSummary(Strict):
    client_id: int
    gender: str | None
    age_years: Number | None
    age_band: str | None
    income: Number | None
    income_band: str | None
    credit: Number | None
    contract_type: str | None
    family_status: str | None
    probability: Number
    decision: Literal["granted", "refused"]


class ClientList(Strict):
    page: int
    page_size: int
    total: int
    pages: int
    filters: dict[str, str]
    available_filters: dict[str, list[str]]
    clients: list[ClientSummary]


class ProfileField(Strict):
    name: str
    label: str
    value: str | Number | None
    display: str


class ClientDetail(Strict):
    client_id: int
    fields: list[ProfileField]
    application: dict[str, str | Number | None]


class Score(Strict):
    client_id: int
    probability: Number
    decision: Literal["granted", "refused"]
    threshold: Number
    model_version: str
    reading: str
    reasons: list[Reason]
    what_would_change: WhatWouldChange | None


class Factor(Strict):
    feature: str
    label: str
    value: str | Number | None
    display: str | None = None
    contribution: Number
    sentence: str


class Explanation(Strict):
    client_id: int
    model_version: str
    reasons: list[Reason]
    base_value: Number
    log_odds: Number
    space: str
    probability: Number
    threshold: Number
    raises_risk: list[Factor]
    lowers_risk: list[Factor]


class FeatureLabel(Strict):
    feature: str
    label: str


class SimilarClient(Strict):
    client_id: int
    defaulted: bool
    outcome: Literal["defaulted", "repaid"]
    distance: Number


class SimilarClients(Strict):
    client_id: int
    k: int
    default_rate: Number | None
    features_used: list[FeatureLabel]
    clients: list[SimilarClient]


class ComparableFeature(Strict):
    feature: str
    label: str
    unit: str


class FeatureList(Strict):
    features: list[ComparableFeature]


class ImportantFeature(Strict):
    feature: str
    label: str
    mean_abs_shap: Number
    gain_share: Number
    description: str
    rank: int


class Importance(Strict):
    features: list[ImportantFeature]


class Histograms(Strict):
    all: list[Number]
    defaulted: list[Number]
    repaid: list[Number]
    similar: list[Number]


class Population(Strict):
    client_id: int | None
    feature: str
    label: str
    unit: str
    bin_edges: list[Number]
    histograms: Histograms
    client_value: Number | None
    client_percentile: Number | None
    similar_values: list[Number]
    similar_count: int
    all_median: Number
    similar_median: Number | None
