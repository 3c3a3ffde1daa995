"""The model card of one trained model: what it is for, what it was trained on, how good it is.

A credit-scoring system is a high-risk AI system in the EU (AI Act, Annex III 5(b)); its
provider documents it (Art. 11) and tells deployers what it is for and where it stops
(Art. 13). The card is built by the training run from that run's own outputs (counts,
held-out predictions, fairness report, bundle, parameters): no figure is typed by hand.
It travels inside the model bundle, so the API serves the card of the version it serves.

The sentences that are policy rather than measurement (intended use, out-of-scope uses)
are written here once; every number is read from the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring_kedro.features.history_families import HISTORY_FAMILIES
from credit_scoring_kedro.modeling.bootstrap import bootstrap_intervals
from credit_scoring_kedro.modeling.cost import CostWeights
from credit_scoring_kedro.schema import table_schema

CARD_VERSION = 1
TARGET = "TARGET"

INTENDED_USE = {
    "purpose": "Estimate the probability that an applicant for a consumer loan will have payment "
               "difficulties, and propose a decision (grant or refuse) at a threshold that "
               "minimises the lender's expected cost of errors.",
    "users": "Relationship managers of a consumer lender, through the dashboard or the scoring "
             "API, when they decide on cash loans and revolving loans.",
    "decisions": ["cash loans", "revolving loans"],
    "human_oversight": "The score and its reasons support the manager's decision: a person reviews "
                       "every refusal, can override the proposed decision and tells the client "
                       "the reasons and what would change the decision.",
}

OUT_OF_SCOPE = [
    "Decisions other than consumer credit: employment, housing, insurance pricing or "
    "eligibility, access to public services.",
    "Clients outside the training population (other countries or lenders, business loans, "
    "mortgages, applicants unlike Home Credit's consumer-loan applicants).",
    "Fully automated refusals without the possibility of human review (GDPR Art. 22).",
    "Setting prices, limits or interest rates: the model ranks default risk, it was not "
    "trained to price it.",
    "Any use that reads a protected attribute (gender) as a scoring factor.",
]

SOURCE = "Home Credit Default Risk (Kaggle competition tables)"
NO_DATES = ("The Home Credit tables carry no calendar dates: every time is a number of days "
            "relative to the application (DAYS_*), so the training period is unknown and no "
            "out-of-time validation is possible; the held-out split is a random, stratified one.")
PROTECTED_WHY = ("Protected attribute: the law forbids it as a scoring factor. Never a model input, "
                 "nor a feature built from one, nor a reason given to a client; kept in the "
                 "prediction log for the fairness report.")
EXCLUDED_WHY = "Left out of every model by modeling.excluded_features."
APPLICATION = "application"
DERIVED = "derived from the application"


def feature_families(features: list[str]) -> dict[str, int]:
    """Features per family: the application's own columns, ratios derived from them, and one
    family per history table (by the aggregates' prefix: BURO_, PREV_, POS_, INSTAL_, CC_)."""
    application = set(table_schema("application_train").columns)
    prefixes = {f"{fam.prefix}_": fam.table for fam in HISTORY_FAMILIES}
    counts: dict[str, int] = {}
    for feature in features:
        family = next((table for prefix, table in prefixes.items() if feature.startswith(prefix)),
                      APPLICATION if feature in application else DERIVED)
        counts[family] = counts.get(family, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def source_tables(families: Mapping[str, int]) -> list[str]:
    """The raw tables the features come from (bureau features also read bureau_balance)."""
    tables = ["application_train"]
    for family in families:
        if family in (APPLICATION, DERIVED):
            continue
        tables.append(family)
        if family == "bureau":
            tables.append("bureau_balance")
    return tables


def _population(y: pd.DataFrame) -> dict:
    target = y[TARGET].to_numpy()
    return {"clients": int(target.size), "defaults": int(target.sum()),
            "default_rate": float(target.mean()) if target.size else None}


def _excluded(protected: list[str], excluded: list[str], why: Mapping[str, str]) -> list[dict]:
    return ([{"name": n, "kind": "protected attribute", "why": why.get(n, PROTECTED_WHY)}
             for n in protected]
            + [{"name": n, "kind": "excluded feature", "why": why.get(n, EXCLUDED_WHY)}
               for n in excluded])


def _fairness(report: Mapping) -> dict:
    return {"clients": report.get("clients"), "four_fifths": report.get("four_fifths"),
            "min_group_size": report.get("min_group_size"),
            "attributes": {name: {k: entry.get(k) for k in (
                "column", "groups", "approval_rate_ratio", "demographic_parity_difference",
                "equalized_odds_difference", "four_fifths_flag")}
                for name, entry in report.get("attributes", {}).items()}}


def _fairness_limits(report: Mapping) -> list[dict]:
    limits = []
    for name, entry in report.get("attributes", {}).items():
        compared = {g: r for g, r in entry.get("groups", {}).items() if r.get("compared")}
        small = sorted(g for g, r in entry.get("groups", {}).items() if not r.get("compared"))
        if entry.get("four_fifths_flag") and compared:
            low = min(compared, key=lambda g: compared[g]["approval_rate"])
            high = max(compared, key=lambda g: compared[g]["approval_rate"])
            limits.append({"id": f"fairness_{name}", "text": (
                f"Fairness flag on {name} ({entry.get('column')}): the approval rate of the "
                f"'{low}' group ({compared[low]['approval_rate']:.1%}) is "
                f"{entry['approval_rate_ratio']:.2f} times that of the '{high}' group "
                f"({compared[high]['approval_rate']:.1%}), below the four-fifths rule "
                f"({report.get('four_fifths')}). The lender's credit or compliance committee "
                "decides whether this difference is justified by risk; see the fairness "
                "section and docs/methodology.md section 6.")})
        if small:
            limits.append({"id": f"fairness_{name}_small_groups", "text": (
                f"Groups of {name} with fewer than {report.get('min_group_size')} held-out "
                f"clients are listed but not compared: {', '.join(small)}.")})
    return limits


def _monitoring(params: Mapping) -> dict:
    return {
        "monitored_features": params.get("top_features"),
        "sample_rows": params.get("sample_rows"),
        "feature_drift_test": "evidently's default for the reference size: K-S (numeric) or "
                              "chi-square / Z-test (categorical) p-value < 0.05 up to 1,000 "
                              "reference rows; normed Wasserstein (numeric) or Jensen-Shannon "
                              "(categorical) distance >= 0.1 above",
        "dataset_drift_share": params.get("drift_share"),
        "alert_drifted_share": params.get("alert_drifted_share"),
        "alert_psi": params.get("alert_psi"),
        "fail_on_drift": params.get("fail_on_drift"),
        "retraining_trigger": (
            f"Retrain (kedro run --pipelines modeling) when the monitoring pipeline raises an "
            f"alert: at least {params.get('alert_drifted_share', float('nan')):.0%} of the "
            f"{params.get('top_features')} monitored features drifted, or the score "
            f"distribution's PSI reaches {params.get('alert_psi')}; also when the realised "
            "default rate of accepted clients, once known, departs from the held-out one. The "
            "new model is served only if its held-out business cost beats the champion's on "
            "the same clients (champion / challenger in the MLflow registry)."),
    }


def held_out_evidence(test_predictions: pd.DataFrame, weights: CostWeights, spec: Mapping
                      ) -> dict:
    """Bootstrap intervals of the held-out AUC and cost per client, and the refused share.

    Args:
        test_predictions: Held-out clients: SK_ID_CURR, TARGET, probability, decision.
        weights: The cost of each error.
        spec: ``params:modeling.model_card`` (bootstrap draws and seed).
    """
    refused = (test_predictions["decision"] == "refused").to_numpy()
    intervals = bootstrap_intervals(test_predictions[TARGET].to_numpy(),
                                    test_predictions["probability"].to_numpy(), refused, weights,
                                    draws=int(spec.get("bootstrap_draws", 1000)),
                                    seed=int(spec.get("bootstrap_seed", 0)))
    return {**intervals, "refused_share": float(refused.mean())}


def training_populations(y_train: pd.DataFrame, y_test: pd.DataFrame, raw_data_origin: Mapping
                         ) -> dict:
    """Clients and defaults of each part, and whether they are the generated demo data."""
    return {"train": _population(y_train), "test": _population(y_test),
            "generated_demo_data": bool(raw_data_origin.get("generated", False))}


def build_model_card(metadata: Mapping, threshold: float, weights: CostWeights,
                     features: list[str], registry: Mapping, evidence: Mapping,
                     populations: Mapping, fairness_report: Mapping, modeling: Mapping,
                     monitoring: Mapping) -> dict:
    """The card of one trained model, as a JSON-ready dict (NaN written as null).

    Args:
        metadata: The bundle's metadata (version, trained_at, candidate, test_metrics, ...).
        threshold: The bundle's decision threshold (refused when probability >= threshold).
        weights: The bundle's cost weights.
        features: The model's input features, in the encoder's order.
        registry: ``registry_decision`` (registered model, MLflow version, alias).
        evidence: :func:`held_out_evidence` of the held-out predictions.
        populations: :func:`training_populations` of the two parts.
        fairness_report: ``fairness_report`` of the same run.
        modeling: ``params:modeling`` (cost, split, protected and excluded attributes,
            monotone, ``model_card``: why each attribute is excluded).
        monitoring: ``params:monitoring`` (drift thresholds).
    """
    spec = modeling.get("model_card", {})
    families = feature_families(features)
    monotone = dict(metadata.get("monotone_constraints") or {})
    monotone_spec = modeling.get("monotone", {})
    test_metrics = metadata.get("test_metrics", {})
    generated = bool(populations["generated_demo_data"])
    card = {
        "card_version": CARD_VERSION,
        "model": {
            "name": metadata.get("name"), "version": metadata.get("version"),
            "trained_at": metadata.get("trained_at"),
            "registered_model": registry.get("registered_model"),
            "registry_version": registry.get("version"), "registry_alias": registry.get("alias"),
            "candidate": metadata.get("candidate"), "calibration": metadata.get("calibration"),
            "profile": metadata.get("profile"), "data_fingerprint": metadata.get("data_fingerprint"),
        },
        "intended_use": INTENDED_USE,
        "out_of_scope": OUT_OF_SCOPE,
        "training_data": {
            "source": "generated demo data with the Home Credit schema (credit_scoring_kedro."
                      "demo_data), not real clients" if generated else SOURCE,
            "generated_demo_data": generated,
            "source_tables": source_tables(families),
            "period": None,
            "period_note": NO_DATES,
            "train": populations["train"],
            "test": populations["test"],
            "split": {"test_size": modeling.get("split", {}).get("test_size"),
                      "random_state": modeling.get("split", {}).get("random_state"),
                      "stratified_on": TARGET},
        },
        "features": {
            "count": len(features),
            "families": families,
            "excluded_attributes": _excluded(list(modeling.get("protected_attributes", [])),
                                             list(modeling.get("excluded_features", [])),
                                             spec.get("why_excluded", {})),
        },
        "performance": {
            "held_out_clients": evidence["clients"],
            "held_out_defaults": evidence["defaults"],
            "interval": f"{evidence['level']:.0%} percentile bootstrap, {evidence['draws']} "
                        "draws of the held-out clients",
            "auc": evidence["auc"],
            "business_cost_per_client": evidence["business_cost"],
            "cost_accept_all": test_metrics.get("cost_accept_all"),
            "cost_at_0_5": test_metrics.get("cost_at_0_5"),
            "average_precision": test_metrics.get("average_precision"),
            "brier": test_metrics.get("brier"),
            "recall": test_metrics.get("recall"),
            "precision": test_metrics.get("precision"),
            "refused_share": evidence["refused_share"],
            "train_auc": test_metrics.get("train_auc"),
        },
        "decision_threshold": {
            "threshold": float(threshold),
            "rule": "refused when probability of default >= threshold",
            "cost_weights": {"false_negative": weights.false_negative,
                             "false_positive": weights.false_positive},
            "basis": (f"A defaulter granted a loan (false negative) costs "
                      f"{weights.false_negative / weights.false_positive:g} times a good client "
                      "refused (false positive); the threshold minimises that cost per client on "
                      "the out-of-fold predictions of the training part, never on the held-out "
                      "clients."),
            "out_of_fold_cost": metadata.get("oof_cost"),
        },
        "monotone_constraints": {
            "enabled": bool(monotone_spec.get("enabled", False)),
            "method": monotone_spec.get("method"),
            "constrained_features": len(monotone),
            "of_features": len(features),
            "risk_rises_with": sum(1 for s in monotone.values() if s > 0),
            "risk_falls_with": sum(1 for s in monotone.values() if s < 0),
        },
        "fairness": _fairness(fairness_report),
        "known_limits": _limits(generated, metadata, fairness_report, evidence),
        "monitoring": _monitoring(monitoring),
    }
    return _clean(card)


def _limits(generated: bool, metadata: Mapping, fairness_report: Mapping, intervals: dict) -> list:
    limits = []
    if generated:
        limits.append({"id": "generated_demo_data", "text": (
            "Trained on generated demo data (credit_scoring_kedro.demo_data), not on real "
            "clients: every figure of this card describes the generator, not a lending "
            "population. Never use this model for real decisions.")})
    limits.append({"id": "no_dates", "text": NO_DATES})
    limits.extend(_fairness_limits(fairness_report))
    if metadata.get("profile") != "full":
        limits.append({"id": "reduced_search", "text": (
            f"Trained with the '{metadata.get('profile')}' profile of modeling.profiles: a "
            "reduced candidate search, not the one meant for the full data.")})
    limits.append({"id": "population", "text": (
        "Probabilities and the threshold hold for the training population's default rate "
        f"({intervals['defaults'] / max(intervals['clients'], 1):.1%} on the held-out "
        "clients); when the population or the default rate moves, recalibrate and re-choose "
        "the threshold.")})
    limits.append({"id": "cost_weights", "text": (
        "The cost weights are an assumption, not measured losses; the threshold should be "
        "re-chosen when the business gives real loss figures.")})
    return limits


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN and infinities to None, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ----- Markdown ---------------------------------------------------------------------------------
def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _ci(entry: Mapping) -> str:
    if entry.get("low") is None:
        return f"{_num(entry.get('value'))} (no interval)"
    return f"{_num(entry['value'])} [{_num(entry['low'])}, {_num(entry['high'])}]"


def render_markdown(card: Mapping) -> str:
    """The card as a Markdown page (``model_card.md``, ``GET /api/v1/model/card``)."""
    m, data, feats = card["model"], card["training_data"], card["features"]
    perf, thr, mono = card["performance"], card["decision_threshold"], card["monotone_constraints"]
    mon, use = card["monitoring"], card["intended_use"]
    lines = [
        f"# Model card: {m['name']} {m['version']}",
        "",
        f"Trained at {m['trained_at']}; MLflow registry: `{m['registered_model']}` version "
        f"{m['registry_version']} ({m['registry_alias']}). Candidate `{m['candidate']}`, "
        f"calibration {m['calibration'] or 'none'}, profile `{m['profile']}`, data fingerprint "
        f"`{m['data_fingerprint']}`.",
        "",
        "## Intended use and users",
        "",
        use["purpose"], "", f"**Users.** {use['users']}", "",
        f"**Human oversight.** {use['human_oversight']}",
        "",
        "## Out-of-scope uses",
        "",
        *[f"- {item}" for item in card["out_of_scope"]],
        "",
        "## Training data",
        "",
        f"Source: {data['source']}. Tables: {', '.join(data['source_tables'])}.",
        "",
        "| part | clients | defaults | default rate |",
        "|---|---:|---:|---:|",
        *[f"| {part} | {_num(data[part]['clients'])} | {_num(data[part]['defaults'])} | "
          f"{_pct(data[part]['default_rate'])} |" for part in ("train", "test")],
        "",
        f"Split: random, stratified on {data['split']['stratified_on']}, test share "
        f"{_num(data['split']['test_size'], 2)}, seed {data['split']['random_state']}. "
        f"Period: {data['period_note']}",
        "",
        "## Features",
        "",
        f"{feats['count']} features: " + ", ".join(
            f"{family} {n}" for family, n in feats["families"].items()) + ".",
        "",
        "**Excluded attributes.**",
        "",
        *[f"- `{e['name']}` ({e['kind']}): {e['why']}" for e in feats["excluded_attributes"]],
        "",
        "## Held-out performance",
        "",
        f"{_num(perf['held_out_clients'])} held-out clients ({_num(perf['held_out_defaults'])} "
        f"defaults); in brackets the {perf['interval']}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| AUC | {_ci(perf['auc'])} |",
        f"| business cost per client at the threshold | {_ci(perf['business_cost_per_client'])} |",
        f"| cost per client, everyone accepted | {_num(perf['cost_accept_all'])} |",
        f"| cost per client at threshold 0.5 | {_num(perf['cost_at_0_5'])} |",
        f"| refused share | {_pct(perf['refused_share'])} |",
        f"| recall (defaulters refused) | {_num(perf['recall'])} |",
        f"| precision | {_num(perf['precision'])} |",
        f"| average precision | {_num(perf['average_precision'])} |",
        f"| Brier score | {_num(perf['brier'])} |",
        f"| training AUC | {_num(perf['train_auc'])} |",
        "",
        "## Decision threshold",
        "",
        f"Threshold {_num(thr['threshold'])}: {thr['rule']}. {thr['basis']} "
        f"Out-of-fold cost per client: {_num(thr['out_of_fold_cost'])}.",
        "",
        "## Monotone constraints",
        "",
        (f"{mono['constrained_features']} of {mono['of_features']} features constrained "
         f"(LightGBM, method `{mono['method']}`): the risk may only rise with "
         f"{mono['risk_rises_with']} of them and only fall with {mono['risk_falls_with']}."
         if mono["enabled"] else "None: modeling.monotone.enabled is false."),
        "",
        "## Fairness (held-out clients)",
        "",
        f"Four-fifths rule: a flag when the lowest approval rate is under "
        f"{card['fairness']['four_fifths']} times the highest; groups under "
        f"{card['fairness']['min_group_size']} clients are not compared.",
        "",
    ]
    for name, entry in card["fairness"]["attributes"].items():
        label = f"**{name}**" + ("" if name == entry["column"] else f" (`{entry['column']}`)")
        lines += [
            f"{label}: approval-rate ratio "
            f"{_num(entry['approval_rate_ratio'], 3)}, demographic-parity difference "
            f"{_num(entry['demographic_parity_difference'], 3)}, equalized-odds difference "
            f"{_num(entry['equalized_odds_difference'], 3)}"
            + (" — **below the four-fifths rule**" if entry["four_fifths_flag"] else "") + ".",
            "",
            "| group | clients | default rate | approval rate | false-negative rate | "
            "false-positive rate | AUC |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *[f"| {g}{'' if r['compared'] else ' (not compared)'} | {_num(r['clients'])} | "
              f"{_pct(r['default_rate'])} | {_pct(r['approval_rate'])} | "
              f"{_pct(r['false_negative_rate'])} | {_pct(r['false_positive_rate'])} | "
              f"{_num(r['auc'], 3)} |" for g, r in (entry["groups"] or {}).items()],
            "",
        ]
    lines += [
        "## Known limits",
        "",
        *[f"- {limit['text']}" for limit in card["known_limits"]],
        "",
        "## Monitoring and retraining",
        "",
        f"The monitoring pipeline compares new clients with the training population on the "
        f"{mon['monitored_features']} most important features ({_num(mon['sample_rows'])} rows "
        f"sampled at most). A feature drifts by {mon['feature_drift_test']}; the data set "
        f"drifts when {_pct(mon['dataset_drift_share'])} of them do. Alerts: drifted share >= "
        f"{_pct(mon['alert_drifted_share'])}, score PSI >= {mon['alert_psi']}"
        f"{' (the run fails on an alert)' if mon['fail_on_drift'] else ''}.",
        "",
        mon["retraining_trigger"],
        "",
    ]
    return "\n".join(lines)
