"""schemathesis fuzzing from the API's own OpenAPI document, in-process.

Every generated request (valid and invalid) must get a documented status, a JSON body that
matches the documented schema, and never a server error. The default run generates a few
hundred cases (``FUZZ_EXAMPLES`` per operation and mode, 25 by default: 600 at most); `make test-slow` runs more.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.access import Access
from api.app import ScoringState, create_app
from api.oversight_routes import ENDPOINTS as OVERSIGHT_ENDPOINTS
from api.routes import ENDPOINTS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Reproducible in CI; FUZZ_RANDOM=1 explores new cases on every run.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"


KEY = "fuzz-key-0123456789"


@pytest.fixture(scope="module")
def fuzzed_app(service, tmp_path_factory):
    """With an API key, so that schemathesis also checks that a wrong key is refused.

    Reloading hands back the same service: the fuzzing checks the contract of
    ``POST /admin/reload`` without reading the artifacts again on every generated call.
    The service logs into a database of its own: a generated ``PUT /admin/review-mode``
    may switch the review mode on, which must not reach the other tests' decisions.
    """
    import dataclasses

    from credit_scoring_kedro.serving.oversight import OversightStore
    from credit_scoring_kedro.serving.prediction_log import PredictionLog

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz_log') / 'log.db'}"
    service = dataclasses.replace(service, log=PredictionLog(url),
                                  oversight=OversightStore(url, service.oversight.policy))
    # rate limits off: hundreds of generated calls from one key would otherwise meet 429s
    return create_app(service, access=Access.with_key(KEY, limits_enabled=False),
                      loader=lambda: ScoringState(service))


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)

    @schema.auth()
    class ApiKey:
        """The key, given the way schemathesis expects (it then also tries wrong keys)."""

        def get(self, case, context):
            return KEY

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "X-API-Key": data}

    return schema


def operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


def fuzz(operation, mode, examples: int) -> int:
    """Run ``examples`` generated cases against one operation; returns how many ran."""
    calls, statuses = [], []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        calls.append(1)
        response = case.call_and_validate()
        statuses.append(response.status_code)

    try:
        check()
    except Unsatisfiable:  # no parameter or body to make invalid (e.g. GET /health)
        assert mode is GenerationMode.NEGATIVE and not calls
    if mode is GenerationMode.POSITIVE:   # valid requests with the key: never refused for it
        assert 401 not in statuses and 403 not in statuses and 429 not in statuses, statuses
    return len(calls)


# pytest 9 and schemathesis' lazy fixture loader do not get along: the operations are
# enumerated inside the tests instead (one test per generation mode, every operation).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_every_generated_request_gets_a_documented_non_5xx_answer(api_schema, mode) -> None:
    ran = {op.label: fuzz(op, mode, EXAMPLES) for op in operations(api_schema)}
    # every declared operation is in the document and fuzzed: GET /metrics and GET
    # /model/card included (text answers), and the oversight ones (api/oversight_routes.py)
    assert len(ran) == len(ENDPOINTS) + len(OVERSIGHT_ENDPOINTS) >= 26
    assert sum(ran.values()) >= 100, ran     # hypothesis may stop early on tiny input spaces
