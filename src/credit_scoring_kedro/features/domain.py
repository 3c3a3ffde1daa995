"""Credit-domain ratios of one application, in NumPy so the API scores a single client in microseconds.

The pipelines call :func:`domain_features` on whole columns; the API calls
:func:`domain_matrix`, the same computation, on a block of one row. Missing values are
NaN; a ratio with a zero or missing denominator is NaN, never infinite.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Home Credit writes this in DAYS_EMPLOYED for clients with no job, mostly pensioners.
DAYS_EMPLOYED_ANOMALY = 365243

EXT_SOURCES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
DOCUMENT_FLAGS = tuple(f"FLAG_DOCUMENT_{i}" for i in range(2, 22))

#: Columns read by domain_features: what a scoring request must carry for them to be defined.
INPUT_COLUMNS = (
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "DAYS_BIRTH",
    "DAYS_EMPLOYED", "CNT_FAM_MEMBERS", "CNT_CHILDREN", "DAYS_ID_PUBLISH",
    "DAYS_LAST_PHONE_CHANGE", *EXT_SOURCES, *DOCUMENT_FLAGS,
)

#: Output names, in order. DAYS_EMPLOYED is returned cleaned (anomaly -> NaN).
OUTPUT_COLUMNS = (
    "DAYS_EMPLOYED", "DAYS_EMPLOYED_ANOMALY", "EMPLOYED_AGE_RATIO", "INCOME_CREDIT_RATIO",
    "INCOME_PER_PERSON", "ANNUITY_INCOME_RATIO", "ANNUITY_CREDIT_RATIO", "CREDIT_TERM_MONTHS",
    "CREDIT_GOODS_RATIO", "CHILDREN_RATIO", "ID_PUBLISH_AGE_RATIO", "PHONE_CHANGE_AGE_RATIO",
    "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_STD", "EXT_SOURCE_PROD",
    "EXT_SOURCE_COUNT", "DOCUMENT_COUNT",
)


#: Ratios: output name -> (numerator, denominator); DAYS_EMPLOYED is the cleaned value.
RATIOS = {
    "EMPLOYED_AGE_RATIO": ("DAYS_EMPLOYED", "DAYS_BIRTH"),
    "INCOME_CREDIT_RATIO": ("AMT_INCOME_TOTAL", "AMT_CREDIT"),
    "INCOME_PER_PERSON": ("AMT_INCOME_TOTAL", "CNT_FAM_MEMBERS"),
    "ANNUITY_INCOME_RATIO": ("AMT_ANNUITY", "AMT_INCOME_TOTAL"),
    "ANNUITY_CREDIT_RATIO": ("AMT_ANNUITY", "AMT_CREDIT"),
    "CREDIT_TERM_MONTHS": ("AMT_CREDIT", "AMT_ANNUITY"),
    "CREDIT_GOODS_RATIO": ("AMT_CREDIT", "AMT_GOODS_PRICE"),
    "CHILDREN_RATIO": ("CNT_CHILDREN", "CNT_FAM_MEMBERS"),
    "ID_PUBLISH_AGE_RATIO": ("DAYS_ID_PUBLISH", "DAYS_BIRTH"),
    "PHONE_CHANGE_AGE_RATIO": ("DAYS_LAST_PHONE_CHANGE", "DAYS_BIRTH"),
}

_AT = {name: i for i, name in enumerate(INPUT_COLUMNS)}
_EMPLOYED = _AT["DAYS_EMPLOYED"]
_NUMERATORS = [_AT[a] for a, _ in RATIOS.values()]
_DENOMINATORS = [_AT[b] for _, b in RATIOS.values()]
_EXT = [_AT[c] for c in EXT_SOURCES]
_DOCUMENTS = [_AT[c] for c in DOCUMENT_FLAGS]


def domain_features(columns: Mapping[str, np.ndarray], n: int | None = None) -> dict[str, np.ndarray]:
    """Ratios and combinations a credit analyst would compute by hand.

    Args:
        columns: Column name -> 1-D array, one entry per application. Absent
            columns count as missing.
        n: Number of applications, needed only when ``columns`` is empty.

    Returns:
        Feature name -> float64 array, in the order of :data:`OUTPUT_COLUMNS`.
    """
    if n is None:
        n = len(next(iter(columns.values()))) if columns else 0
    block = np.full((n, len(INPUT_COLUMNS)), np.nan)
    for name, values in columns.items():
        if name in _AT:
            block[:, _AT[name]] = values
    out = domain_matrix(block)
    return {name: out[:, j] for j, name in enumerate(OUTPUT_COLUMNS)}


def domain_matrix(inputs: np.ndarray) -> np.ndarray:
    """The computation itself, on an (n, len(INPUT_COLUMNS)) float64 block: (n, len(OUTPUT_COLUMNS)).

    Whole-block operations, a fixed number of them whatever the number of rows: the API
    scores one application with the same code, in tens of microseconds.
    """
    n = len(inputs)
    out = np.empty((n, len(OUTPUT_COLUMNS)))
    employed_raw = inputs[:, _EMPLOYED]
    anomaly = employed_raw == DAYS_EMPLOYED_ANOMALY
    values = inputs.copy()
    values[anomaly, _EMPLOYED] = np.nan
    # C order, as the column_stack of the pipelines: row sums add in the same order
    ext = np.ascontiguousarray(inputs[:, _EXT])
    documents = np.ascontiguousarray(inputs[:, _DOCUMENTS])
    known = ~np.isnan(ext)
    ext_count = known.sum(axis=1).astype(np.float64)
    documents_known = ~np.isnan(documents)
    with np.errstate(all="ignore"):
        denominators = values[:, _DENOMINATORS]
        denominators[denominators == 0] = np.nan       # a zero denominator: NaN, never inf
        ratios = values[:, _NUMERATORS] / denominators
        ext_mean = np.where(known, ext, 0.0).sum(axis=1) / np.maximum(ext_count, 1)
        ext_mean[ext_count == 0] = np.nan
        ext_sq = np.where(known, (ext - ext_mean[:, None]) ** 2, 0.0).sum(axis=1)
        ext_std = np.sqrt(ext_sq / np.maximum(ext_count - 1, 1))
        ext_std[ext_count <= 1] = np.nan
        ext_min = np.where(known, ext, np.inf).min(axis=1, initial=np.inf)
        ext_max = np.where(known, ext, -np.inf).max(axis=1, initial=-np.inf)
        ext_min[ext_count == 0] = np.nan
        ext_max[ext_count == 0] = np.nan
        documents_count = np.where(documents_known, documents, 0.0).sum(axis=1)
        # no document flag at all (e.g. a request that omits them) is unknown, not zero
        documents_count[~documents_known.any(axis=1)] = np.nan
        out[:, 0] = values[:, _EMPLOYED]
        out[:, 1] = anomaly
        out[np.isnan(employed_raw), 1] = np.nan
        out[:, 2:2 + len(RATIOS)] = ratios
        out[:, 2 + len(RATIOS):] = np.column_stack(
            [ext_mean, ext_min, ext_max, ext_std, np.prod(ext, axis=1), ext_count,
             documents_count])
    return out
