"""``python -m credit_scoring_kedro.audit replay <decision id> ...``: is each decision intact?

Reads the prediction log (the catalog's ``prediction_log`` URL, ``PREDICTION_LOG_URL`` or
``--url``) and the model version of each decision from the MLflow Model Registry (the
catalog's ``model_bundle`` store, or ``--tracking-uri``), through the local registry cache;
prints one verdict per decision (``--json`` for machines). Exit code 0 when
every decision replays exactly, 1 when one does not, 2 when a decision id is unknown.
"""

from __future__ import annotations

import argparse
import json
import sys

import sqlalchemy as sa

from credit_scoring_kedro.audit.replay import replay
from credit_scoring_kedro.modeling.registry_cli import registry
from credit_scoring_kedro.serving.prediction_log import PREDICTIONS


def logged_rows(url: str, decision_ids: list[str], last: int | None) -> list[dict]:
    """The stored rows, their text columns as written (the seal covers them)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            # a log written before a column existed is read as it is (an audit never migrates)
            present = {c["name"] for c in sa.inspect(conn).get_columns(PREDICTIONS.name)}
            query = sa.select(*[c for c in PREDICTIONS.columns if c.name in present])
            if last:
                query = query.where(PREDICTIONS.c.features.is_not(None)).order_by(
                    PREDICTIONS.c.id.desc()).limit(last)
            else:
                query = query.where(PREDICTIONS.c.decision_id.in_(decision_ids))
            return [dict(row) for row in conn.execute(query).mappings()]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit_scoring_kedro.audit",
                                     description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("replay", help="recompute logged decisions")
    command.add_argument("decision_ids", nargs="*", help="e.g. 3f2a...-0 (GET the log, or "
                                                         "the X-Request-ID of the answer + -<index>)")
    command.add_argument("--last", type=int, help="the last N logged decisions instead")
    command.add_argument("--url", help="the prediction log's database URL")
    command.add_argument("--tracking-uri", help="the MLflow registry (default: the catalog's, "
                                                "MLFLOW_TRACKING_URI when set)")
    command.add_argument("--json", action="store_true", help="one JSON verdict per line")
    args = parser.parse_args(argv)
    if not args.decision_ids and not args.last:
        parser.error("give decision ids or --last N")
    url = args.url or _log_url()
    bundles = registry(args.tracking_uri)
    rows = logged_rows(url, args.decision_ids, args.last)
    found = {row["decision_id"] for row in rows}
    missing = [d for d in args.decision_ids if d not in found]
    code = 0
    for row in rows:
        verdict = replay(row, bundles)
        code = max(code, 0 if verdict.matches else 1)
        if args.json:
            print(json.dumps(verdict.as_dict()))
        else:
            state = "MATCHES" if verdict.matches else "DOES NOT MATCH"
            print(f"{verdict.decision_id}: {state} (model {verdict.model_version}; logged "
                  f"{verdict.logged_decision} p={verdict.logged_probability!r}; replayed "
                  f"{verdict.replayed_decision} p={verdict.replayed_probability!r})")
            for problem in verdict.problems:
                print(f"    - {problem}")
    for decision_id in missing:
        print(f"{decision_id}: NOT FOUND in the prediction log", file=sys.stderr)
        code = 2
    return code


def _log_url() -> str:
    import os

    from credit_scoring_kedro.serving.prediction_log import _catalog_url

    return os.environ.get("PREDICTION_LOG_URL") or _catalog_url()


if __name__ == "__main__":
    sys.exit(main())
