"""Everything the API answers, as plain Python: built once from the catalog, then read-only.

The Flask app (``api/``) only validates requests, calls these methods and serialises the
answers; the logic lives here, next to the pipelines whose artifacts it reads.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from credit_scoring_kedro.explain.local import SMALL_CONTRIBUTION, LocalExplainer
from credit_scoring_kedro.explain.reasons import (
    DEFAULT_PROTECTED,
    ReasonCatalogue,
    decision_reasons,
    read_max_reasons,
)
from credit_scoring_kedro.explain.similar import SimilarClients
from credit_scoring_kedro.features.history_families import count_columns
from credit_scoring_kedro.modeling.bundle import ModelBundle
from credit_scoring_kedro.modeling.model_card import render_markdown
from credit_scoring_kedro.serving import metrics
from credit_scoring_kedro.serving.client_book import ClientBook
from credit_scoring_kedro.serving.client_profile import PROFILE, profile
from credit_scoring_kedro.serving.counterfactual import what_would_change
from credit_scoring_kedro.serving.oversight import OversightPolicy, OversightStore
from credit_scoring_kedro.serving.peer_groups import CONTRACT, DEFAULT_GROUP, GROUPS, PeerGroups
from credit_scoring_kedro.serving.population import PopulationComparison
from credit_scoring_kedro.serving.prediction_log import PredictionLog
from credit_scoring_kedro.serving.reading import margin_reading
from credit_scoring_kedro.serving.request_schema import (
    MAX_SIMULATED,
    application_record_model,
    predict_request_model,
)
from credit_scoring_kedro.serving.scorer import FastScorer, HistoryStore

logger = logging.getLogger(__name__)
ID = "SK_ID_CURR"

#: Catalog entries the service reads (the API's and the dashboard's contract with the pipelines).
ARTIFACTS = ("model_bundle", "feat_client_history", "feat_test", "feature_dictionary",
             "feature_glossary", "feature_reference", "similarity_index", "similarity_spec",
             "global_importance", "reason_codes", "counterfactual_options")
COMPARABLE_TOP = 30   # most important numeric features offered for comparison
COMPARED_FACTORS = 6  # the client's top factors set beside the chosen group
SIMILAR_GROUP = 50    # the "most like this client" group of the comparisons
#: Client search columns -> the feature whose label and unit they take (one label per quantity)
DIRECTORY_FIGURES = {"age_years": "DAYS_BIRTH", "income": "AMT_INCOME_TOTAL",
                     "credit": "AMT_CREDIT"}


class UnknownClient(LookupError):
    """No client with this SK_ID_CURR among the served clients."""


class UnknownFeature(LookupError):
    """The feature is not one of the comparable features."""


@dataclass
class ScoringService:
    bundle: ModelBundle
    scorer: FastScorer
    book: ClientBook
    explainer: LocalExplainer
    similar_clients: SimilarClients
    population: PopulationComparison
    importance: pd.DataFrame
    labels: dict[str, str]
    reasons: ReasonCatalogue
    max_reasons: int
    what_if_options: dict
    log: PredictionLog | None = None
    groups: PeerGroups | None = None   # past clients for the comparisons (peer_groups.py)
    loaded_in: float = 0.0
    # overrides, contests and the review switch, in the log's database (serving/oversight.py)
    oversight: OversightStore | None = None
    record_model: Any = field(init=False)
    request_model: Any = field(init=False)
    simulate_model: Any = field(init=False)

    def __post_init__(self) -> None:
        encoder = self.bundle.encoder
        # protected attributes are checked against their training labels too, never scored
        categories = encoder.categories_ | getattr(encoder, "protected_categories_", {})
        self.record_model = application_record_model(categories)
        self.request_model = predict_request_model(self.record_model)
        self.simulate_model = predict_request_model(self.record_model, MAX_SIMULATED,
                                                    "SimulateRequest")

    # ----- construction ----------------------------------------------------------------------
    @classmethod
    def from_catalog(cls, log_url: str | None = None) -> ScoringService:
        """Load every artifact through the Kedro catalog (see :mod:`.artifacts`)."""
        from credit_scoring_kedro.serving.artifacts import artifact_path, catalog, parameters
        from credit_scoring_kedro.serving.artifacts import load_artifact as load

        started = time.perf_counter()
        loaded = {name: load(name) for name in ARTIFACTS}
        if log_url is None:
            log_url = catalog().get("prediction_log").url
        log = None if log_url == "off" else PredictionLog(log_url)   # "off": load tests only
        small = parameters("explainability").get("small_contribution", SMALL_CONTRIBUTION)
        service = cls.from_artifacts(**loaded, train_features_path=artifact_path("feat_train"),
                                     log=log, small_contribution=small)
        if log is not None:
            service.oversight = OversightStore(log.url, _oversight_policy(load))
        service.loaded_in = time.perf_counter() - started
        logger.info("scoring service ready in %.1f s: model %s, %d clients, %d features",
                    service.loaded_in, service.bundle.version, len(service.book),
                    len(service.bundle.features))
        return service

    @classmethod
    def from_artifacts(cls, model_bundle: ModelBundle, feat_client_history: pl.DataFrame,
                       feat_test: pl.DataFrame, feature_dictionary: list[dict],
                       feature_glossary: dict, feature_reference: dict,
                       similarity_index: pd.DataFrame, similarity_spec: dict,
                       global_importance: pd.DataFrame, train_features_path,
                       reason_codes: dict, counterfactual_options: dict,
                       log: PredictionLog | None = None,
                       small_contribution: float = SMALL_CONTRIBUTION) -> ScoringService:
        bundle = model_bundle
        history_features = [c for c in feat_client_history.columns
                            if c != ID and c in set(bundle.features)]
        store = HistoryStore.build(feat_client_history, history_features, count_columns())
        scorer = FastScorer(bundle, store)
        # one thread: every gunicorn worker builds its own book at start, side by side
        book = ClientBook.build(feat_test, bundle,
                                lambda matrix: scorer.probabilities(matrix, threads=1))
        explainer = LocalExplainer.build(bundle, feature_dictionary, feature_glossary,
                                         feature_reference, small_contribution=small_contribution)
        labels = explainer.labels | {k: v for k, v in feature_glossary.get("labels", {}).items()}
        similar = SimilarClients.build(similarity_index, similarity_spec)
        comparable = _comparable(bundle, global_importance, feature_reference)
        scan = pl.scan_parquet(train_features_path)
        contract = [CONTRACT] if CONTRACT in scan.collect_schema().names() else []
        train = scan.select([ID, *comparable, *contract]).collect()
        population = PopulationComparison(
            reference=feature_reference, labels=labels, features=comparable,
            train_rows={int(i): r for r, i in enumerate(train.get_column(ID).to_list())},
            values=train.select(comparable).to_numpy().astype(np.float32))
        groups = PeerGroups.build(
            comparable, population.values, train.get_column(ID).to_numpy(),
            dict(zip(similar.ids.tolist(), similar.outcomes.tolist(), strict=True)),
            (train.get_column(CONTRACT).to_numpy() if contract
             else np.full(train.height, None, dtype=object)),
            explainer.units, labels, explainer.levels,
            (feature_glossary.get("currency") or {}).get("symbol", ""))
        protected = bundle.metadata.get("protected_attributes", DEFAULT_PROTECTED)
        reasons = ReasonCatalogue.build(reason_codes, bundle.features, protected)
        # one currency for every amount a person reads: the glossary's
        currency = (feature_glossary.get("currency") or {}).get("symbol", "")
        return cls(bundle, scorer, book, explainer, similar, population,
                   global_importance, labels, reasons, read_max_reasons(reason_codes),
                   dict(counterfactual_options) | {"currency": currency}, log, groups=groups)

    # ----- model and scoring -----------------------------------------------------------------
    def model_info(self) -> dict:
        meta = self.bundle.metadata
        return {
            "name": meta.get("name", "credit_default_scorer"),
            "version": self.bundle.version,
            "alias": meta.get("registry", {}).get("alias", "champion"),
            "candidate": meta.get("candidate"),
            "calibration": meta.get("calibration"),
            "trained_at": meta.get("trained_at"),
            "threshold": float(self.bundle.threshold),
            "cost_weights": {"false_negative": self.bundle.cost_weights.false_negative,
                             "false_positive": self.bundle.cost_weights.false_positive},
            "metrics": {k: v for k, v in meta.get("test_metrics", {}).items()
                        if isinstance(v, int | float)},
            "n_features": len(self.bundle.features),
            "features": self.bundle.features,
            "model_card": meta.get("model_card"),   # None for a bundle trained before cards
            "currency": self.what_if_options.get("currency", ""),   # the glossary's symbol
        }

    def model_card_markdown(self) -> str | None:
        """The served version's model card as Markdown (None when its bundle has no card)."""
        card = self.bundle.metadata.get("model_card")
        return render_markdown(card) if card else None

    def predict(self, records: list[dict], request_id: str,
                caller_request_id: str | None = None, *,
                acting_user: str | None = None, purpose: str = "production") -> list[dict]:
        """Probability, decision and reasons of each validated application (a decision: logged).

        Returns only once the decisions are durable in the log (no decision without a
        record); raises :class:`~.prediction_log.LogUnavailable` when they cannot be.
        ``request_id`` is the server's (unique); ``caller_request_id`` the caller's, kept beside;
        ``acting_user`` the person who asked (logged with each decision); ``purpose``
        production, simulation or test (logged: monitoring leaves test traffic out).

        While the review switch is on (:mod:`.review_mode`; a cached read, no query per
        request) every decision is ``review``, the model's own in ``automatic_decision``.
        """
        out, matrix = self._decide(records)
        if self.oversight is not None and self.oversight.review.on():
            for answer in out:
                answer["automatic_decision"], answer["decision"] = answer["decision"], "review"
        if self.log is not None:
            self.log.record(request_id, self.bundle.version, float(self.bundle.threshold),
                            records, out, caller_request_id=caller_request_id,
                            features=matrix, history_snapshot=self.scorer.history.snapshot,
                            acting_user=acting_user, purpose=purpose)
        metrics.count_decisions(out)
        return out

    def simulate(self, records: list[dict]) -> list[dict]:
        """:meth:`predict` without a decision: never logged, with what would change a refusal.

        What-if re-scoring (the dashboard, a manager trying amounts) is a simulation; only
        ``POST /predict`` is a credit decision and enters the prediction log.
        """
        out, _ = self._decide(records)
        for record, answer in zip(records, out, strict=True):
            answer["what_would_change"] = self._what_would_change(record, answer)
        return out

    def _decide(self, records: list[dict]) -> tuple[list[dict], np.ndarray]:
        """The answers, and the feature rows the model read (kept by the log for replay)."""
        matrix, has_history = self.scorer.feature_matrix(records)
        probability = self.scorer.probabilities(matrix)
        threshold = float(self.bundle.threshold)
        version = self.bundle.version
        refused = probability >= threshold
        reasons = decision_reasons(self.reasons, matrix, refused, self.scorer.contributions,
                                   self.max_reasons)
        return [{"client_id": r.get(ID), "probability": float(p),
                 "decision": "refused" if no else "granted",
                 "threshold": threshold, "model_version": version, "has_history": bool(h),
                 "reasons": _public(why)}
                for r, p, no, h, why in zip(records, probability, refused, has_history, reasons,
                                            strict=True)], matrix

    def _what_would_change(self, record: dict, answer: dict) -> dict | None:
        """The counterfactual of a refusal (None for an approval)."""
        if answer["decision"] != "refused":
            return None
        found = what_would_change(record, lambda batch: self.scorer.score(batch)[0],
                                  float(self.bundle.threshold), self.what_if_options)
        return {"proposals": [{k: v for k, v in p.items() if k != "checked"}
                              for p in found["proposals"]],
                "message": found["message"]}

    def _client_reasons(self, client_id: int) -> list[dict]:
        decision = self.book.score(client_id)[1]
        encoded = self.book.encoded_row(client_id).astype(np.float64)
        return _public(decision_reasons(self.reasons, encoded, np.array([decision == "refused"]),
                                        self.scorer.contributions, self.max_reasons)[0])

    # ----- clients ---------------------------------------------------------------------------
    def _require(self, client_id: int) -> None:
        if client_id not in self.book:
            raise UnknownClient(f"No client with SK_ID_CURR {client_id} among the "
                                f"{len(self.book)} served clients")

    def list_clients(self, filters: dict[str, str], page: int, page_size: int) -> dict:
        """A page of the client search; ``display`` writes each figure as every other page does."""
        total, clients = self.book.search(filters, page, page_size)
        for row in clients:
            row["display"] = self._directory_display(row["client_id"])
        return {"page": page, "page_size": page_size, "total": total,
                "pages": max(1, -(-total // page_size)), "filters": filters,
                "available_filters": self.book.filter_values(),
                "labels": {column: self.labels.get(feature, feature)
                           for column, feature in DIRECTORY_FIGURES.items()},
                "clients": clients}

    def _directory_display(self, client_id: int) -> dict[str, str]:
        # from the raw feature values (not the directory's rounded age): the explanation's
        # "35 years" and the search table's age are the same number
        units = self.explainer.units
        row = self.book.features.row(self.book.row_of[client_id], named=True)
        return {column: units.format(feature, row.get(feature)) if units else str(row.get(feature))
                for column, feature in DIRECTORY_FIGURES.items()}

    def client(self, client_id: int) -> dict:
        self._require(client_id)
        record = self.book.application_record(client_id)
        return {"client_id": client_id,
                "fields": profile(record, self.labels, self.explainer.units),
                "application": record}

    def score(self, client_id: int) -> dict:
        self._require(client_id)
        probability, decision = self.book.score(client_id)
        threshold = float(self.bundle.threshold)
        what_if = self._what_would_change(self.book.application_record(client_id),
                                          {"decision": decision})
        return {"client_id": client_id, "probability": probability, "decision": decision,
                "threshold": threshold, "model_version": self.bundle.version,
                "reading": margin_reading(probability, threshold), "reasons": self._client_reasons(client_id),
                "what_would_change": what_if}

    def reason_sentences(self) -> dict[str, str]:
        """Each reason code's sentence (the log keeps the codes only)."""
        return dict(zip(self.reasons.codes, self.reasons.sentences, strict=True))

    def explanation(self, client_id: int, top_k: int = 5) -> dict:
        self._require(client_id)
        encoded = pd.DataFrame(self.book.encoded_row(client_id), columns=self.bundle.features)
        probability, _ = self.book.score(client_id)
        result = self.explainer.explain_encoded(encoded, self.book.feature_row(client_id),
                                                top_k=top_k, probability=probability)
        return {"client_id": client_id, "model_version": self.bundle.version,
                "reasons": self._client_reasons(client_id), **result}

    def similar(self, client_id: int, k: int = 10) -> dict:
        self._require(client_id)
        found = self._neighbours(client_id, k)
        clients = [{"client_id": int(r[ID]), "defaulted": bool(r["defaulted"]),
                    "outcome": "defaulted" if r["defaulted"] else "repaid",
                    "distance": round(float(r["distance"]), 4)}
                   for r in found.to_dict("records")]
        rate = float(np.mean([c["defaulted"] for c in clients])) if clients else None
        if self.groups is not None:
            for entry in clients:
                entry["figures"] = self.groups.key_figures(entry["client_id"])
        return {"client_id": client_id, "k": len(clients), "default_rate": rate,
                "features_used": [{"feature": f, "label": self.labels.get(f, f)}
                                  for f in self.similar_clients.spec["features"]],
                "figures": self.groups.key_figure_labels() if self.groups else [],
                "clients": clients}

    def comparison(self, client_id: int, group: str = DEFAULT_GROUP,
                   feature: str | None = None, top: int = COMPARED_FACTORS) -> dict:
        """The client beside a group of past clients the manager chose (peer_groups.py).

        ``factors``: the client's ``top`` factors by weight in this score (both directions)
        that the comparison holds values of, each with where the client stands in the group
        and the group's median; ``distribution``: ``feature`` (the first factor by default)
        in the group, as counts of repaid and of difficulties per bin.
        """
        self._require(client_id)
        if self.groups is None:
            raise UnknownFeature("No past clients are loaded to compare with")
        if group not in GROUPS:
            raise UnknownFeature(f"'{group}' is not a group; choose one of: {', '.join(GROUPS)}")
        if feature is not None and not self.groups.holds(feature):
            raise UnknownFeature(f"'{feature}' cannot be compared; choose one of: "
                                 + ", ".join(self.groups.features))
        row = self.book.feature_row(client_id)
        neighbours = (self._neighbours(client_id, SIMILAR_GROUP)[ID].astype(int).tolist()
                      if group == "similar" else [])
        rows, name = self.groups.members(group, row, neighbours)
        encoded = pd.DataFrame(self.book.encoded_row(client_id), columns=self.bundle.features)
        explained = self.explainer.explain_encoded(encoded, row, top_k=2 * top,
                                                   probability=self.book.score(client_id)[0])
        factors = sorted(explained["raises_risk"] + explained["lowers_risk"],
                         key=lambda f: -abs(f["contribution"]))
        factors = [f for f in factors if self.groups.holds(f["feature"])
                   and not isinstance(f["value"], str)][:top]
        chosen = feature or (factors[0]["feature"] if factors else self.groups.features[0])
        return {
            "client_id": client_id,
            "group": {"key": group, "name": name, **self.groups.summary(rows)},
            "groups": [{"key": k, "label": v} for k, v in GROUPS.items()],
            "factors": [{**self.groups.standing(f["feature"], row.get(f["feature"]), rows),
                         "effect": f["sentence"].rsplit(" — ", 1)[-1],
                         "contribution": round(float(f["contribution"]), 6)}
                        for f in factors],
            "distribution": self.groups.distribution(chosen, row.get(chosen), rows),
        }

    def _neighbours(self, client_id: int, k: int) -> pd.DataFrame:
        # a frame of the index's features only: one of the whole row cost 20-40 ms
        row = self.book.feature_row(client_id)
        wanted = self.similar_clients.spec["features"]
        frame = pd.DataFrame([[row.get(f) for f in wanted]], columns=wanted, dtype=float)
        return self.similar_clients.query(frame, k=k, exclude=client_id)

    # ----- features and populations ----------------------------------------------------------
    def importance_table(self, top: int) -> dict:
        head = self.importance.sort_values("mean_abs_shap", ascending=False).head(top)
        return {"features": [
            {"feature": r["feature"], "label": self.labels.get(r["feature"], r["feature"]),
             "mean_abs_shap": float(r["mean_abs_shap"]),
             "gain_share": float(r["native_importance"]),
             "description": r.get("description") or "", "rank": int(r["rank"])}
            for r in head.to_dict("records")]}

    def comparable_features(self) -> dict:
        return {"features": [{"feature": f, "label": self.labels.get(f, f),
                              "unit": self.population.unit(f)}
                             for f in self.population.features]}

    def population_of(self, feature: str, client_id: int | None, k: int) -> dict:
        if feature not in self.population.features:
            raise UnknownFeature(f"'{feature}' cannot be compared; choose one of: "
                                 + ", ".join(self.population.features))
        value, neighbours = None, []
        if client_id is not None:
            self._require(client_id)
            value = self.book.feature_row(client_id).get(feature)
            neighbours = self._neighbours(client_id, k)[ID].astype(int).tolist()
        out = self.population.compare(feature, value, neighbours)
        return {"client_id": client_id, **out}


def _oversight_policy(load) -> OversightPolicy:
    """The ``oversight`` catalog entry; the project's file when the catalog lacks it."""
    from kedro.io import DatasetError

    try:
        return OversightPolicy.from_config(load("oversight"))
    except (FileNotFoundError, KeyError, DatasetError) as error:   # a malformed file raises
        logger.error("oversight settings not in the catalog (%s): reading conf/base", error)
        return OversightPolicy.default()


def _public(reasons: list[dict]) -> list[dict]:
    """Reason codes as the API and the log give them: code, sentence, weight; no column names."""
    return [{"code": r["code"], "reason": r["reason"],
             "contribution": round(float(r["contribution"]), 6)} for r in reasons]


def _comparable(bundle: ModelBundle, importance: pd.DataFrame, reference: dict) -> list[str]:
    """The descriptive numeric fields and the most important numeric features, with a reference."""
    usable = {f for f, r in reference["features"].items()
              if r.get("kind") == "numeric" and r.get("quantiles")}
    categorical = set(bundle.encoder.categories_)
    ranked = [f for f in importance.sort_values("mean_abs_shap", ascending=False)["feature"]
              if f in usable and f not in categorical][:COMPARABLE_TOP]
    described = [f.column for f in PROFILE if f.column in usable and f.column not in categorical]
    return list(dict.fromkeys(described + ranked))
