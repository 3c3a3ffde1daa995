"""A seeded stream of applications through the running API, and the outcomes they lead to.

The demo loop (``make simulate-traffic``): demo clients are sent to ``POST /predict`` in
batches marked ``X-Request-Purpose: simulation``, with a shift that grows from batch to
batch; then each client's observed default is drawn from the generator's latent risk and
written to ``raw_outcomes`` (data/01_raw/outcomes.csv), as a lender's servicing system would.

Why demo clients rather than new ones: the API reads a client's credit history from the
history store the pipelines built, and a client it does not know has none (every history
feature would drift). The demo clients of application_train are known, and their latent risk
``z`` can be rebuilt exactly from the generator's seed (:func:`latent_risk`). Their outcomes are
drawn afresh from ``z``, independently of the TARGET the model was trained on.

The shift ``s`` (0 in the first batch, ``max_shift`` in the last) moves the inputs (larger
credits and annuities, younger applicants, a lower third external score) and weakens the link
between what the model sees and what happens: the default is drawn from
``sqrt(1 - (0.8 s)^2) z + 0.8 s e`` with ``e`` a risk the model cannot see.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import polars as pl
from scipy.special import expit

from credit_scoring_kedro.demo_data.generator import (
    CHUNK_CLIENTS,
    FIRST_CLIENT,
    TARGET_INTERCEPT,
    TARGET_SLOPE,
)

logger = logging.getLogger(__name__)
HIDDEN_RISK = 0.8        # weight of the unseen risk at full shift
PURPOSE_HEADER = {"X-Request-Purpose": "simulation"}


def latent_risk(seed: int, n_clients: int) -> np.ndarray:
    """The generator's latent risk ``z`` of clients FIRST_CLIENT .. FIRST_CLIENT + n - 1.

    :func:`~credit_scoring_kedro.demo_data.generate_demo_data` draws ``z`` first from each
    chunk's generator; drawing it again from the same seeds gives the same values.
    """
    n_chunks = max(1, -(-n_clients // CHUNK_CLIENTS))
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    return np.concatenate([
        np.random.default_rng(seeds[k]).standard_normal(
            min((k + 1) * CHUNK_CLIENTS, n_clients) - k * CHUNK_CLIENTS)
        for k in range(n_chunks)])


def shift_inputs(frame: pl.DataFrame, shift: float) -> pl.DataFrame:
    """The applications as they arrive under shift ``s``: bigger loans, younger, lower EXT 3."""
    if shift == 0:
        return frame
    scale = 1 + 0.5 * shift
    return frame.with_columns(
        *[pl.col(c) * scale for c in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")],
        pl.min_horizontal(pl.col("DAYS_BIRTH") + round(2500 * shift), pl.lit(-5844)),
        (pl.col("EXT_SOURCE_3") - 0.2 * shift).clip(0.0, 1.0),
    )


def draw_outcomes(rng: np.random.Generator, z: np.ndarray, shift: float) -> np.ndarray:
    """Observed defaults (1/0): the generator's default model on a risk partly unseen under shift."""
    weight = HIDDEN_RISK * shift
    risk = np.sqrt(1 - weight ** 2) * z + weight * rng.standard_normal(len(z))
    return (rng.random(len(z)) < expit(TARGET_INTERCEPT + TARGET_SLOPE * risk)).astype(np.int64)


def shift_schedule(batches: int, max_shift: float) -> np.ndarray:
    """The shift of each batch: from 0 to ``max_shift``, linearly."""
    return np.linspace(0.0, max_shift, batches) if batches > 1 else np.array([0.0])


def simulate(applications: pl.DataFrame, z: np.ndarray, send: Callable[[list[dict]], None],
             decisions: int, batch: int, max_shift: float, seed: int) -> pl.DataFrame:
    """Send ``decisions`` applications in batches of ``batch``; return their outcomes.

    Args:
        applications: Demo clients' application rows (application_test columns).
        z: Their latent risk, in the same order.
        send: Posts one batch of records to the API (raises on failure).

    Returns:
        ``SK_ID_CURR``, ``DEFAULTED``, ``OBSERVED_AT`` of every client sent.
    """
    rng = np.random.default_rng(seed)
    if decisions > applications.height:
        raise ValueError(f"{decisions} decisions asked, {applications.height} demo clients: "
                         "each client is sent once (lower --decisions)")
    order = rng.permutation(applications.height)[:decisions]
    shifts = shift_schedule(-(-decisions // batch), max_shift)
    outcomes = []
    for number, shift in enumerate(shifts):
        rows = order[number * batch:(number + 1) * batch]
        chunk = shift_inputs(applications[rows], float(shift))
        send(chunk.to_dicts())
        outcomes.append(draw_outcomes(rng, z[rows], float(shift)))
        logger.info("batch %d/%d: %d applications sent, shift %.2f", number + 1, len(shifts),
                    len(rows), shift)
    today = datetime.now(UTC).date().isoformat()
    return pl.DataFrame({"SK_ID_CURR": applications["SK_ID_CURR"].to_numpy()[order],
                         "DEFAULTED": np.concatenate(outcomes),
                         "OBSERVED_AT": [today] * len(order)})


def merge_outcomes(existing: pl.DataFrame | None, new: pl.DataFrame) -> pl.DataFrame:
    """Outcomes already observed, with those of the clients just simulated replaced."""
    if existing is None or existing.is_empty():
        return new
    kept = existing.filter(~pl.col("SK_ID_CURR").is_in(new["SK_ID_CURR"].implode()))
    return pl.concat([kept.select(new.columns).cast(new.schema), new])


def api_sender(url: str, key: str | None, timeout: float = 120.0) -> Callable[[list[dict]], None]:
    """A function posting ``{"clients": records}`` to ``url``/predict as simulation traffic."""
    headers = {"Content-Type": "application/json", **PURPOSE_HEADER}
    if key:
        headers["X-API-Key"] = key

    def send(records: list[dict]) -> None:
        body = json.dumps({"clients": records}).encode()
        req = urllib.request.Request(f"{url.rstrip('/')}/predict", body, headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"the API refused a batch: HTTP {error.code} "
                               f"{error.read()[:2000].decode(errors='replace')}") from error
    return send


def _demo_clients() -> tuple[pl.DataFrame, np.ndarray, str]:
    """application_train's demo clients (no TARGET), their latent risk, the raw folder."""
    from credit_scoring_kedro.serving.artifacts import catalog, dataset_config

    origin = catalog().load("raw_data_origin")
    if not origin.get("generated"):
        raise SystemExit("the raw tables are not the generated demo data: the simulator "
                         "needs the generator's latent risk (run `make demo-data` on an empty "
                         "data/01_raw, or point CREDIT_DATA_ROOT at a demo data root)")
    z = latent_risk(int(origin["seed"]), int(origin["n_train"]) + int(origin["n_test"]))
    train = catalog().load("raw_application_train").drop("TARGET").collect()
    encoder = catalog().load("model_bundle").encoder
    train = known_categories_only(train, encoder.categories_
                                  | getattr(encoder, "protected_categories_", {}))
    return (train,
            z[train["SK_ID_CURR"].to_numpy() - FIRST_CLIENT],
            str(dataset_config("raw_outcomes")["raw_dir"]))


def known_categories_only(applications: pl.DataFrame,
                          categories: dict[str, list[str]]) -> pl.DataFrame:
    """The applications whose category values the served model was trained on.

    The API refuses a value it never saw in training (422); a held-out demo client may carry
    a rare one. Those clients are left out of the stream rather than sent with an altered input.
    """
    known = pl.all_horizontal(
        [pl.col(c).is_null() | pl.col(c).is_in(list(values))
         for c, values in categories.items() if c in applications.columns] or [pl.lit(True)])
    kept = applications.filter(known)
    if kept.height < applications.height:
        logger.info("%d of %d demo clients left out: a category value the model never saw",
                    applications.height - kept.height, applications.height)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m credit_scoring_kedro.monitoring.traffic_simulator",
        description="Send a seeded, growingly shifted stream of demo applications through the "
                    "running API (as simulation traffic) and write their outcomes.")
    parser.add_argument("--decisions", type=int, default=12_000)
    parser.add_argument("--batch", type=int, default=2_000,
                        help="applications per shift step (sent 500 per request)")
    parser.add_argument("--max-shift", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", default=os.environ.get("CREDIT_API_URL",
                                                        "http://127.0.0.1:8000/api/v1"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    key = os.environ.get("CREDIT_API_KEY")
    if not key:
        from credit_scoring_kedro.serving.credentials import key_of
        key = key_of("scorer")
    applications, z, raw_dir = _demo_clients()
    post = api_sender(args.url, key)

    def send(records: list[dict]) -> None:
        for start in range(0, len(records), 500):
            post(records[start:start + 500])

    try:
        outcomes = simulate(applications, z, send, args.decisions, args.batch, args.max_shift,
                            args.seed)
    except urllib.error.URLError as error:
        sys.stderr.write(f"error: the API does not answer at {args.url} ({error.reason}): "
                         "start it first (`make run` or `make api`)\n")
        return 2
    except RuntimeError as error:   # the API refused a batch: its own message, no traceback
        sys.stderr.write(f"error: {error}\n")
        return 2
    path = os.path.join(raw_dir, "outcomes.csv")
    existing = pl.read_csv(path) if os.path.exists(path) else None
    merge_outcomes(existing, outcomes).write_csv(path)
    sys.stdout.write(f"{len(outcomes)} simulated decisions sent to {args.url}; outcomes "
                     f"(default rate {outcomes['DEFAULTED'].mean():.1%}) written to {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
