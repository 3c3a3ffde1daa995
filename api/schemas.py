"""Response shapes, as pydantic models: they generate the OpenAPI document that schemathesis
checks every answer against (the handlers return plain dicts of the same shape)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

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
    currency: str = ""     # the symbol every amount is written with (the glossary's)


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
    # "review": the review switch is on (PUT /admin/review-mode), a manager decides
    decision: Literal["granted", "refused", "review"]
    threshold: Number
    model_version: str
    has_history: bool
    reasons: list[Reason]
    # only under review: what the model decided, for the manager who reviews it
    automatic_decision: Literal["granted", "refused"] | None = None


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
    display: dict[str, str]     # age_years, income, credit as every page writes them


class ClientList(Strict):
    page: int
    page_size: int
    total: int
    pages: int
    filters: dict[str, str]
    available_filters: dict[str, list[str]]
    labels: dict[str, str]      # age_years, income, credit: the glossary's label
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
    figures: dict[str, str] = {}    # key figures in words, keyed as SimilarClients.figures


class SimilarClients(Strict):
    client_id: int
    k: int
    default_rate: Number | None
    features_used: list[FeatureLabel]
    figures: list[FeatureLabel] = []    # the key figures given for each past client, in order
    clients: list[SimilarClient]


class GroupSummary(Strict):
    key: str
    name: str                       # e.g. "Past clients aged 35-44"
    size: int
    defaulted: int
    repaid: int
    default_rate: Number | None


class GroupChoice(Strict):
    key: str
    label: str


class FactorStanding(Strict):
    feature: str
    label: str
    client_display: str
    group_median_display: str | None
    known_in_group: int
    percentile: Number | None       # share of the group below the client, in %
    standing: str | None            # the percentile in words: "older than 72 % of them"
    effect: str                     # "raises the risk", "lowers the risk", ...
    contribution: Number


class GroupDistribution(Strict):
    feature: str
    label: str
    axis_title: str
    bin_edges: list[Number]
    bins: list[str]                 # each bin in words, with its unit
    repaid: list[int]               # counts of the group's past clients per bin
    defaulted: list[int]
    unknown: int                    # of the group, no value known
    client_bin: int | None
    client_value: Number | None
    client_display: str


class Comparison(Strict):
    client_id: int
    group: GroupSummary
    groups: list[GroupChoice]
    factors: list[FactorStanding]
    distribution: GroupDistribution


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


# ----- human oversight (api/oversight_routes.py, serving/oversight.py) ----------------------
Decided = Literal["granted", "refused"]
Logged = Literal["granted", "refused", "review"]


class OverrideRecord(Strict):
    override_id: str
    sequence: int                 # 1, 2, ...: the highest is in force
    previous_decision: Logged
    decision: Decided
    reason_code: str
    reason_label: str
    comment: str
    acting_user: str
    at: str
    contest_id: str | None        # set when a contest's resolution overturned the decision


class ContestRecord(Strict):
    contest_id: str
    decision_id: str
    client_id: int | None
    statement: str
    received_on: str              # YYYY-MM-DD
    recorded_by: str
    at: str
    status: Literal["open", "resolved"]
    resolved_by: str | None
    resolved_at: str | None
    outcome: Literal["upheld", "overturned"] | None
    outcome_comment: str | None
    override_id: str | None


class LoggedDecision(Strict):
    decision_id: str
    request_id: str
    client_id: int | None
    logged_at: str
    model_version: str
    probability: Number
    threshold: Number
    decision: Logged              # as logged by POST /predict
    automatic_decision: Decided | None   # the model's (None: logged before it was kept)
    effective_decision: Logged    # the latest override's, else the logged one
    decided_by: str | None        # X-Acting-User of POST /predict (None: a system)
    reason_codes: list[str]
    reasons: list[Reason]         # the codes' sentences (contribution 0: not logged)
    overrides: list[OverrideRecord]
    contests: list[ContestRecord]


class ClientDecisions(Strict):
    client_id: int
    decisions: list[LoggedDecision]


class QueuedContest(ContestRecord):
    decision: LoggedDecision | None


class ContestQueue(Strict):
    status: Literal["open", "resolved", "all"]
    contests: list[QueuedContest]


class OverrideReason(Strict):
    code: str
    label: str


class Lengths(Strict):
    min_chars: int
    max_chars: int


class OversightReasons(Strict):
    reasons: list[OverrideReason]
    contest_override_reason: OverrideReason
    comment: Lengths
    statement: Lengths
    decisions: list[Decided]
    outcomes: list[Literal["upheld", "overturned"]]
    recorder_may_resolve: bool


class ReviewMode(Strict):
    on: bool
    since: str | None
    by: str | None
    reason: str | None
    changed: bool | None = None   # PUT only: False when it already was in that state


class OversightWeek(Strict):
    week: str                     # ISO week, e.g. 2026-W49
    week_start: str               # its Monday
    decisions: int
    reviews: int
    overridden_decisions: int
    override_rate: Number | None
    overrides: int
    contests_opened: int
    contests_resolved: int
    contests_overturned: int


class OversightWeekly(Strict):
    weeks: list[OversightWeek]


# request bodies (validated by pydantic; the rules by serving/oversight.py)
class OverrideRequest(Strict):
    decision: Decided
    reason_code: str
    comment: str


class ContestRequest(Strict):
    statement: str
    received_on: date


class ResolveRequest(Strict):
    outcome: Literal["upheld", "overturned"]
    comment: str
    decision: Decided | None = None


class ReviewModeRequest(Strict):
    on: StrictBool
    # why, in 5 to 500 characters of which at least 5 are not blank
    reason: Annotated[str, Field(max_length=500, pattern=r"^\s*(\S\s*){5}")]
