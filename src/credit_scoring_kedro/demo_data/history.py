"""The six history tables of a chunk of clients, with keys consistent across tables.

Risk shows in the history as it does in real credit files: riskier clients (higher
``z``) have more overdue bureau credits and late monthly statuses, more refused
applications, more late or short instalments and more days past due on POS loans
and cards. Row counts are allocated exactly (see :func:`allocate`) so that a
full-size run writes the competition's row counts.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import expit

from credit_scoring_kedro.demo_data.applications import to_frame
from credit_scoring_kedro.demo_data.calibration import draw_labels, from_quantiles, stats
from credit_scoring_kedro.schema import table_schema

NO_DATE = 365243
#: Share of clients with at least one row, by table (full Kaggle data).
COVERAGE = {"bureau": 0.86, "previous_application": 0.95, "credit_card_balance": 0.29}

PREVIOUS_LABELS = {
    "NAME_CONTRACT_TYPE": {"Cash loans": 0.45, "Consumer loans": 0.44, "Revolving loans": 0.11},
    "WEEKDAY_APPR_PROCESS_START": {d: 1 / 7 for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY",
                                                      "FRIDAY", "SATURDAY", "SUNDAY")},
    "FLAG_LAST_APPL_PER_CONTRACT": {"Y": 0.995, "N": 0.005},
    "NAME_CASH_LOAN_PURPOSE": {"XAP": 0.55, "XNA": 0.41, "Repairs": 0.015, "Other": 0.01,
                               "Urgent needs": 0.005, "Buying a used car": 0.002,
                               "Everyday expenses": 0.002, "Medicine": 0.002, "Education": 0.002},
    "NAME_PAYMENT_TYPE": {"Cash through the bank": 0.62, "XNA": 0.375,
                          "Non-cash from your account": 0.004,
                          "Cashless from the account of the employer": 0.001},
    "NAME_TYPE_SUITE": {"Unaccompanied": 0.6, "Family": 0.25, "Spouse, partner": 0.08,
                        "Children": 0.04, "Other_B": 0.02, "Other_A": 0.01},
    "NAME_CLIENT_TYPE": {"Repeater": 0.74, "New": 0.18, "Refreshed": 0.08},
    "NAME_GOODS_CATEGORY": {"XNA": 0.57, "Mobile": 0.13, "Consumer Electronics": 0.07,
                            "Computers": 0.06, "Audio/Video": 0.06, "Furniture": 0.03,
                            "Photo / Cinema Equipment": 0.02, "Construction Materials": 0.02,
                            "Clothing and Accessories": 0.02, "Auto Accessories": 0.02},
    "NAME_PORTFOLIO": {"POS": 0.41, "Cash": 0.28, "XNA": 0.22, "Cards": 0.09},
    "NAME_PRODUCT_TYPE": {"XNA": 0.64, "x-sell": 0.27, "walk-in": 0.09},
    "CHANNEL_TYPE": {"Credit and cash offices": 0.43, "Country-wide": 0.3, "Stone": 0.13,
                     "Regional / Local": 0.07, "Contact center": 0.04, "AP+ (Cash loan)": 0.03},
    "NAME_SELLER_INDUSTRY": {"XNA": 0.51, "Consumer electronics": 0.24, "Connectivity": 0.17,
                             "Furniture": 0.04, "Construction": 0.02, "Clothing": 0.02},
    "NAME_YIELD_GROUP": {"XNA": 0.31, "middle": 0.23, "high": 0.21, "low_normal": 0.19,
                         "low_action": 0.06},
    "PRODUCT_COMBINATION": {"Cash": 0.17, "POS household with interest": 0.16,
                            "POS mobile with interest": 0.13, "Cash X-Sell: middle": 0.09,
                            "Cash X-Sell: low": 0.08, "Card Street": 0.07,
                            "POS industry with interest": 0.06, "Card X-Sell": 0.05,
                            "Cash Street: high": 0.05, "Cash X-Sell: high": 0.05,
                            "Cash Street: middle": 0.04, "POS mobile without interest": 0.05},
}


def allocate(rng: np.random.Generator, owners: int, total: int, coverage: float = 1.0,
             dispersion: float = 1.5) -> np.ndarray:
    """Rows per owner summing exactly to ``total``; a share ``1 - coverage`` gets none."""
    counts = np.zeros(owners, dtype=np.int64)
    has = np.flatnonzero(rng.random(owners) < coverage)
    if total <= 0 or has.size == 0:
        return counts
    base = min(total, has.size)
    has = has[:base]
    weights = rng.gamma(dispersion, 1.0, has.size)
    counts[has] = 1 + rng.multinomial(total - base, weights / weights.sum())
    return counts


def _numeric(rng, table, column, n, u=None, fallback=(0.0, 1.0)):
    info = stats(table, column)
    quantiles = info["quantiles"] if info and "quantiles" in info else list(fallback)
    values = from_quantiles(quantiles, rng.random(n) if u is None else u)
    missing = info["missing"] if info else 0.0
    return np.where(rng.random(n) < missing, np.nan, values)


def _frame(table: str, cols: dict) -> pl.DataFrame:
    return to_frame(table, cols)


def _closed_labels() -> dict[str, float]:
    labels = dict(stats("bureau", "CREDIT_ACTIVE")["labels"])
    labels.pop("Active", None)
    return labels


def bureau_tables(rng, clients: np.ndarray, z: np.ndarray, rows: int, balance_rows: int,
                  first_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """bureau (credits at other lenders) and bureau_balance (their monthly statuses)."""
    counts = allocate(rng, len(clients), rows, COVERAGE["bureau"])
    owner = np.repeat(np.arange(len(clients)), counts)
    n = owner.size
    zr = z[owner]
    t = "bureau"
    active = rng.random(n) < expit(-0.6 + 0.3 * zr)
    overdue = rng.random(n) < expit(-4.5 + 1.2 * zr)
    days_credit = np.round(_numeric(rng, t, "DAYS_CREDIT", n))
    days_credit = np.nan_to_num(days_credit, nan=-1000.0)
    credit_sum = _numeric(rng, t, "AMT_CREDIT_SUM", n)
    debt = np.where(active, credit_sum * rng.beta(2, 2, n), 0.0)
    cols = {
        "SK_ID_CURR": clients[owner],
        "SK_ID_BUREAU": first_id + np.arange(n),
        "CREDIT_ACTIVE": np.where(active, "Active", draw_labels(rng, _closed_labels(), n)),
        "CREDIT_CURRENCY": draw_labels(rng, stats(t, "CREDIT_CURRENCY")["labels"], n),
        "DAYS_CREDIT": days_credit,
        "CREDIT_DAY_OVERDUE": np.where(overdue, rng.integers(1, 90, n), 0),
        "DAYS_CREDIT_ENDDATE": days_credit + rng.integers(90, 3000, n),
        "DAYS_ENDDATE_FACT": np.where(active, np.nan, days_credit + rng.integers(30, 1500, n)),
        "AMT_CREDIT_MAX_OVERDUE": np.where(rng.random(n) < 0.65, np.nan,
                                           np.where(overdue | (rng.random(n) < 0.1),
                                                    credit_sum * rng.uniform(0.01, 0.3, n), 0.0)),
        "CNT_CREDIT_PROLONG": (rng.random(n) < 0.005).astype(int),
        "AMT_CREDIT_SUM": credit_sum,
        "AMT_CREDIT_SUM_DEBT": np.where(rng.random(n) < 0.15, np.nan, np.round(debt, 2)),
        "AMT_CREDIT_SUM_LIMIT": _numeric(rng, t, "AMT_CREDIT_SUM_LIMIT", n),
        "AMT_CREDIT_SUM_OVERDUE": np.where(overdue, np.round(debt * rng.uniform(0.05, 0.5, n), 2), 0.0),
        "CREDIT_TYPE": draw_labels(rng, stats(t, "CREDIT_TYPE")["labels"], n),
        "DAYS_CREDIT_UPDATE": np.maximum(days_credit, -rng.integers(0, 800, n)),
        "AMT_ANNUITY": _numeric(rng, t, "AMT_ANNUITY", n),
    }
    bureau = _frame(t, cols)
    # monthly statuses for about half of the credits, consecutive months back from 0
    months = allocate(rng, n, balance_rows, coverage=0.5, dispersion=1.2)
    credit = np.repeat(np.arange(n), months)
    start = np.repeat(np.cumsum(months) - months, months)
    month = -(np.arange(credit.size) - start)
    late = rng.random(credit.size) < expit(-4.6 + 1.1 * zr[credit])
    status = np.where(late, draw_labels(rng, {"1": 0.8, "2": 0.1, "3": 0.04, "4": 0.02, "5": 0.04},
                                        credit.size),
                      draw_labels(rng, {"C": 0.52, "0": 0.27, "X": 0.21}, credit.size))
    balance = _frame("bureau_balance", {"SK_ID_BUREAU": cols["SK_ID_BUREAU"][credit],
                                        "MONTHS_BALANCE": month, "STATUS": status})
    return bureau, balance


def previous_table(rng, clients: np.ndarray, z: np.ndarray, rows: int, first_id: int) -> pl.DataFrame:
    """previous_application: earlier Home Credit applications, refused more often for risky clients."""
    counts = allocate(rng, len(clients), rows, COVERAGE["previous_application"])
    owner = np.repeat(np.arange(len(clients)), counts)
    n = owner.size
    zr = z[owner]
    refused = rng.random(n) < expit(-1.8 + 0.7 * zr)
    status = np.where(refused, "Refused",
                      draw_labels(rng, {"Approved": 0.75, "Canceled": 0.23, "Unused offer": 0.02}, n))
    goods = np.round(rng.lognormal(11.3, 1.0, n), 1)
    credit = np.round(goods * rng.uniform(0.9, 1.2, n), 1)
    application = np.round(credit * rng.uniform(0.85, 1.05, n), 1)
    decision = -rng.integers(1, 2900, n)
    approved = status == "Approved"
    first_due = np.where(approved, decision + rng.integers(10, 60, n), np.nan)
    cols = {
        "SK_ID_PREV": first_id + np.arange(n),
        "SK_ID_CURR": clients[owner],
        "AMT_ANNUITY": np.where(rng.random(n) < 0.22, np.nan, np.round(credit / rng.choice([6, 12, 24, 36], n), 2)),
        "AMT_APPLICATION": application,
        "AMT_CREDIT": credit,
        "AMT_DOWN_PAYMENT": np.where(rng.random(n) < 0.54, np.nan, np.round(goods * rng.beta(1, 12, n), 1)),
        "AMT_GOODS_PRICE": np.where(rng.random(n) < 0.23, np.nan, goods),
        "HOUR_APPR_PROCESS_START": np.clip(np.round(rng.normal(12.5, 3.3, n)), 0, 23),
        "NFLAG_LAST_APPL_IN_DAY": (rng.random(n) < 0.996).astype(int),
        "RATE_DOWN_PAYMENT": np.where(rng.random(n) < 0.54, np.nan, rng.beta(1, 12, n)),
        "RATE_INTEREST_PRIMARY": np.where(rng.random(n) < 0.997, np.nan, rng.uniform(0.03, 1.0, n)),
        "RATE_INTEREST_PRIVILEGED": np.where(rng.random(n) < 0.997, np.nan, rng.uniform(0.37, 1.0, n)),
        "NAME_CONTRACT_STATUS": status,
        "DAYS_DECISION": decision,
        "CODE_REJECT_REASON": np.where(refused, draw_labels(rng, {"HC": 0.6, "LIMIT": 0.2, "SCO": 0.13,
                                                                 "SCOFR": 0.04, "VERIF": 0.03}, n),
                                       np.where(rng.random(n) < 0.98, "XAP", "XNA")),
        "SELLERPLACE_AREA": np.where(rng.random(n) < 0.3, -1, rng.integers(1, 4000, n)),
        "CNT_PAYMENT": np.where(approved, rng.choice([6, 10, 12, 18, 24, 36, 48], n), np.nan),
        "DAYS_FIRST_DRAWING": np.where(approved, np.where(rng.random(n) < 0.96, NO_DATE, decision + 5), np.nan),
        "DAYS_FIRST_DUE": first_due,
        # Home Credit's "no date" placeholder is exactly 365243, never an offset of it
        "DAYS_LAST_DUE_1ST_VERSION": np.where(rng.random(n) < 0.05, NO_DATE, first_due + rng.integers(150, 1100, n)),
        "DAYS_LAST_DUE": np.where(rng.random(n) < 0.3, NO_DATE, first_due + rng.integers(150, 1100, n)),
        "DAYS_TERMINATION": np.where(rng.random(n) < 0.3, NO_DATE, first_due + rng.integers(150, 1200, n)),
        "NFLAG_INSURED_ON_APPROVAL": np.where(approved, (rng.random(n) < 0.33).astype(float), np.nan),
    }
    for column, labels in PREVIOUS_LABELS.items():
        cols[column] = draw_labels(rng, labels, n)
    cols["DAYS_LAST_DUE_1ST_VERSION"] = np.minimum(cols["DAYS_LAST_DUE_1ST_VERSION"], NO_DATE)
    return _frame("previous_application", cols)


def balance_tables(rng, previous: pl.DataFrame, z_by_client: dict, rows: dict[str, int]
                   ) -> dict[str, pl.DataFrame]:
    """POS_CASH_balance, installments_payments and credit_card_balance of the chunk's previous loans."""
    prev_ids = previous["SK_ID_PREV"].to_numpy()
    prev_clients = previous["SK_ID_CURR"].to_numpy()
    revolving = previous["NAME_CONTRACT_TYPE"].to_numpy() == "Revolving loans"
    z_prev = np.asarray([z_by_client[c] for c in prev_clients]) if prev_ids.size else np.empty(0)
    out = {}
    for table, mask in (("pos_cash_balance", ~revolving), ("installments_payments", ~revolving),
                        ("credit_card_balance", revolving)):
        idx = np.flatnonzero(mask) if mask.any() else np.arange(prev_ids.size)
        counts = np.zeros(prev_ids.size, dtype=np.int64)
        if idx.size:
            counts[idx] = allocate(rng, idx.size, rows[table], coverage=1.0, dispersion=1.0)
        loan = np.repeat(np.arange(prev_ids.size), counts)
        start = np.repeat(np.cumsum(counts) - counts, counts)
        step = np.arange(loan.size) - start
        out[table] = _BALANCE_BUILDERS[table](rng, prev_ids[loan], prev_clients[loan], z_prev[loan], step)
    return out


def _pos(rng, prev, client, zr, step):
    n = prev.size
    late = rng.random(n) < expit(-4.2 + 1.1 * zr)
    term = np.round(_numeric(rng, "pos_cash_balance", "CNT_INSTALMENT", n, fallback=(6, 12)))
    return _frame("pos_cash_balance", {
        "SK_ID_PREV": prev, "SK_ID_CURR": client, "MONTHS_BALANCE": -1 - step,
        "CNT_INSTALMENT": term,
        "CNT_INSTALMENT_FUTURE": np.maximum(np.nan_to_num(term, nan=12) - step % 24, 0),
        "NAME_CONTRACT_STATUS": np.where(rng.random(n) < 0.92, "Active",
                                         draw_labels(rng, {"Completed": 0.9, "Signed": 0.08,
                                                           "Returned to the store": 0.02}, n)),
        "SK_DPD": np.where(late, rng.integers(1, 60, n), 0),
        "SK_DPD_DEF": np.where(late & (rng.random(n) < 0.3), rng.integers(1, 30, n), 0),
    })


def _installments(rng, prev, client, zr, step):
    n = prev.size
    due = -rng.integers(30, 2900, n).astype(float)
    late = rng.random(n) < expit(-2.6 + 0.9 * zr)
    entry = np.where(late, due + rng.integers(1, 40, n), due - rng.integers(0, 20, n))
    instalment = np.round(_numeric(rng, "installments_payments", "AMT_INSTALMENT", n), 3)
    short = rng.random(n) < expit(-3.2 + 0.8 * zr)
    payment = np.where(short, np.round(instalment * rng.uniform(0.1, 0.9, n), 3), instalment)
    return _frame("installments_payments", {
        "SK_ID_PREV": prev, "SK_ID_CURR": client,
        "NUM_INSTALMENT_VERSION": rng.choice([0.0, 1.0, 2.0], n, p=[0.3, 0.65, 0.05]),
        "NUM_INSTALMENT_NUMBER": 1 + step,
        "DAYS_INSTALMENT": due,
        "DAYS_ENTRY_PAYMENT": np.where(rng.random(n) < 0.0002, np.nan, entry),
        "AMT_INSTALMENT": instalment,
        "AMT_PAYMENT": np.where(rng.random(n) < 0.0002, np.nan, payment),
    })


def _credit_card(rng, prev, client, zr, step):
    n = prev.size
    t = "credit_card_balance"
    limit = np.round(_numeric(rng, t, "AMT_CREDIT_LIMIT_ACTUAL", n, fallback=(0, 180000)))
    use = np.clip(rng.beta(0.6, 1.5, n) + 0.15 * zr, 0, 1.2)
    balance = np.round(limit * use, 3)
    late = rng.random(n) < expit(-4.4 + 1.1 * zr)
    cols = {"SK_ID_PREV": prev, "SK_ID_CURR": client, "MONTHS_BALANCE": -1 - step,
            "AMT_BALANCE": balance, "AMT_CREDIT_LIMIT_ACTUAL": limit,
            "NAME_CONTRACT_STATUS": np.where(rng.random(n) < 0.96, "Active",
                                             draw_labels(rng, {"Completed": 0.8, "Signed": 0.2}, n)),
            "SK_DPD": np.where(late, rng.integers(1, 90, n), 0),
            "SK_DPD_DEF": np.where(late & (rng.random(n) < 0.2), rng.integers(1, 30, n), 0)}
    for column in table_schema(t).columns:
        if column not in cols:
            cols[column] = _numeric(rng, t, column, n)
    cols["AMT_RECEIVABLE_PRINCIPAL"] = np.round(balance * 0.95, 3)
    cols["AMT_RECIVABLE"] = balance
    cols["AMT_TOTAL_RECEIVABLE"] = balance
    return _frame(t, cols)


_BALANCE_BUILDERS = {"pos_cash_balance": _pos, "installments_payments": _installments,
                     "credit_card_balance": _credit_card}
