"""The dashboard's only door to the scoring API: HTTP calls with a timeout, one retry and caching.

Every score, decision, explanation and client record shown comes from here; the dashboard
never loads the model. Failures become an :class:`ApiError` whose ``message`` is written
for a relationship manager, so a page can show it with a Retry button instead of a traceback.

Every call names the logged-in manager in ``X-Acting-User``: the API writes one
``access_audit`` row per read of a client's data. The cache therefore never answers across
managers nor across page views: its key holds the user and the current view's token
(:func:`dashboard.state.enter_view`), so each page a manager opens asks the API (and is
audited) once, while the reruns inside that view (a widget moved, a filter changed back)
are served from the cache.

What depends on no client (the features offered for comparison, the global importance, the
served model, the search filters' values) is cached across sessions and managers
(:func:`shared`): no client data, so nothing to audit, and every page view spared a call.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import requests
import streamlit as st

from dashboard import state

DEFAULT_URL = "http://127.0.0.1:8000/api/v1"
TIMEOUT_S = 5.0
RETRIES = 1            # one more try on a connection failure, a timeout or a 5xx answer
RETRY_PAUSE_S = 0.3
CACHE_TTL_S = 60
CACHE_ENTRIES = 2_000  # one per (view, call): a bound on memory, not a hit-rate tuning
SHARED_TTL_S = 300    # client-free answers: a retrained model shows within 5 minutes
USER_KEY = "acting_user"   # session key: the logged-in manager, set by dashboard.login
ACTING_USER = re.compile(r"[A-Za-z0-9._@-]{1,64}")   # what the API accepts in X-Acting-User


class ApiError(Exception):
    """A call to the scoring API that gave no usable answer.

    Attributes:
        kind: ``unreachable``, ``timeout``, ``unauthorized``, ``not_found``, ``rejected``
            (4xx), ``server`` (5xx) or ``bad_answer`` (not JSON).
        message: What to tell the user.
        url: The URL called.
        status: The HTTP status, when there was an answer.
    """

    def __init__(self, kind: str, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.url, self.status = kind, message, url, status


def base_url() -> str:
    """The API root, from ``CREDIT_API_URL`` (read at every call, so a test can point elsewhere)."""
    return os.environ.get("CREDIT_API_URL", DEFAULT_URL).rstrip("/")


def api_key() -> str | None:
    """``CREDIT_API_KEY`` from the environment, else from ``st.secrets``, else none."""
    key = os.environ.get("CREDIT_API_KEY")
    if key:
        return key
    try:
        return st.secrets.get("CREDIT_API_KEY")
    except Exception:  # no secrets.toml at all: Streamlit raises on the first read
        return None


def acting_user() -> str | None:
    """The logged-in manager's username (None with the login off, or outside a run)."""
    try:
        user = st.session_state.get(USER_KEY)
    except Exception:  # no script run context (a benchmark calling the client directly)
        return None
    return user if isinstance(user, str) and ACTING_USER.fullmatch(user) else None


def _view() -> str:
    try:
        return state.current_view()
    except Exception:  # no script run context
        return ""


@st.cache_resource(show_spinner=False)
def _session() -> requests.Session:
    # one pooled session per server process: keep-alive spares a TCP handshake per call
    return requests.Session()


def _failure(kind: str, url: str, root: str, status: int | None = None,
             detail: str = "") -> ApiError:
    messages = {
        "unreachable": f"The scoring service is not reachable at {root}. Check that it is "
                       "running (`make api`), then retry.",
        "timeout": f"The scoring service at {root} did not answer within {TIMEOUT_S:g} s. "
                   "It may be busy: retry in a moment.",
        "unauthorized": "The scoring service refused the dashboard's API key. Set "
                        "CREDIT_API_KEY (environment or Streamlit secrets) to the service's key.",
        "not_found": detail or "The scoring service does not know this item.",
        "rejected": f"The scoring service rejected the request: {detail or 'invalid input'}.",
        # a rule of human oversight (e.g. a contest resolved by a manager who took part)
        "not_allowed": f"Not allowed: {detail or 'the scoring service refused this action'}.",
        "server": f"The scoring service at {root} failed to answer (HTTP {status}). Retry in a "
                  "moment; if it persists, tell the data team.",
        "bad_answer": f"The scoring service at {root} sent an answer the dashboard cannot read.",
    }
    return ApiError(kind, messages[kind], url=url, status=status)


def _error_code(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return ""
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def _error_detail(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return ""
    message = error.get("message", "") if isinstance(error, dict) else str(error)
    problems = [f"{d.get('location', '')}: {d.get('problem', '')}".strip(": ")
                for d in (error.get("details") or [] if isinstance(error, dict) else [])
                if isinstance(d, dict)]
    return "; ".join([message, *problems]).strip("; ")


def request(method: str, path: str, *, params: dict | None = None, body: Any = None,
            root: str | None = None, key: str | None = None, user: str | None = None,
            retry: bool = True, timeout: float | None = None) -> Any:
    """One API call, retried once on a network failure or a 5xx answer; 4xx are not retried.

    ``user`` goes in ``X-Acting-User`` (the API's access audit names who read a client).
    ``retry=False`` for a write that must not happen twice (a decision, an override): a
    timed-out call may have been recorded. ``timeout``: seconds, :data:`TIMEOUT_S` by default.

    Raises:
        ApiError: no usable answer.
    """
    root = root or base_url()
    url = f"{root}{path}"
    headers = {"Accept": "application/json"}
    if key:
        headers["X-API-Key"] = key
    if user:
        headers["X-Acting-User"] = user
    error: ApiError | None = None
    for attempt in range(RETRIES + 1 if retry else 1):
        if attempt:
            time.sleep(RETRY_PAUSE_S)
        try:
            response = _session().request(method, url, params=params, json=body,
                                          headers=headers, timeout=timeout or TIMEOUT_S)
        except requests.Timeout:
            error = _failure("timeout", url, root)
            continue
        except requests.RequestException:
            error = _failure("unreachable", url, root)
            continue
        if response.status_code >= 500:
            error = _failure("server", url, root, response.status_code)
            continue
        if response.status_code == 403 and _error_code(response) not in ("", "forbidden"):
            raise _failure("not_allowed", url, root, 403, _error_detail(response))
        if response.status_code in (401, 403):
            raise _failure("unauthorized", url, root, response.status_code)
        if response.status_code == 404:
            raise _failure("not_found", url, root, 404, _error_detail(response))
        if response.status_code >= 400:
            raise _failure("rejected", url, root, response.status_code,
                           _error_detail(response))
        try:
            return response.json()
        except ValueError:
            raise _failure("bad_answer", url, root, response.status_code) from None
    assert error is not None
    raise error


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_get(root: str, key: str | None, user: str | None, view: str, path: str,
                params: tuple[tuple[str, Any], ...]) -> Any:
    # failures raise, and Streamlit never caches a raised call: Retry really calls again.
    # ``view`` is only part of the key: a new page view misses the cache, so it is audited.
    return request("GET", path, params=dict(params), root=root, key=key, user=user)


def get(path: str, **params: Any) -> Any:
    """A GET cached for 60 s within one page view of one manager; ``None`` parameters dropped.

    The key holds the API URL and key, the acting user and the page view's token: a
    manager's second look at a client, or another manager's first, reaches the API and its
    access audit; a rerun of the same view does not ask again.
    """
    kept = tuple(sorted((k, v) for k, v in params.items() if v is not None and v != ""))
    return _cached_get(base_url(), api_key(), acting_user(), _view(), path, kept)


@st.cache_data(ttl=SHARED_TTL_S, max_entries=64, show_spinner=False)
def _shared_get(root: str, key: str | None, path: str,
                params: tuple[tuple[str, Any], ...]) -> Any:
    return request("GET", path, params=dict(params), root=root, key=key)


def shared(path: str, **params: Any) -> Any:
    """A GET of client-free data, cached 5 minutes for every session (keyed on URL and key)."""
    kept = tuple(sorted((k, v) for k, v in params.items() if v is not None and v != ""))
    return _shared_get(base_url(), api_key(), path, kept)


# ---- the endpoints the pages use (docs/api.md) ----

def list_clients(page: int = 1, page_size: int = 20, **filters: Any) -> dict:
    return get("/clients", page=page, page_size=page_size, **filters)


def client(client_id: int) -> dict:
    return get(f"/clients/{int(client_id)}")


def score(client_id: int) -> dict:
    return get(f"/clients/{int(client_id)}/score")


def explanation(client_id: int) -> dict:
    return get(f"/clients/{int(client_id)}/explanation")


def similar(client_id: int, k: int = 10) -> dict:
    return get(f"/clients/{int(client_id)}/similar", k=k)


def features() -> dict:
    return shared("/features")


def importance(top: int = 20) -> dict:
    return shared("/features/importance", top=top)


def filter_choices() -> dict[str, list[str]]:
    """The values each search filter can take (the same for every manager)."""
    return shared("/clients", page=1, page_size=1).get("available_filters", {})


def comparison(client_id: int, group: str | None = None, feature: str | None = None) -> dict:
    """The client beside a group of past clients (``GET /clients/<id>/comparison``)."""
    return get(f"/clients/{int(client_id)}/comparison", group=group, feature=feature)


def population(feature: str, client_id: int, k: int = 50) -> dict:
    return get(f"/population/{feature}", client_id=int(client_id), k=k)


def model_info() -> dict:
    return shared("/model")


def simulate(records: list[dict]) -> dict:
    """Re-score edited applications (what-if) through ``POST /simulate``, never cached.

    Not ``POST /predict``: that is a credit decision and enters the prediction log, while a
    manager trying amounts decides nothing. The answer also says what would turn each
    refusal into an approval.
    """
    return request("POST", "/simulate", body={"clients": records}, key=api_key(),
                   user=acting_user())


# ---- human oversight (docs/oversight.md): decisions as logged, overrides, contests ----

def client_decisions(client_id: int, limit: int = 10) -> dict:
    return get(f"/clients/{int(client_id)}/decisions", limit=limit)


def oversight_reasons() -> dict:
    return get("/oversight/reasons")


def review_mode(timeout: float | None = None) -> dict:
    """The review switch: no client data, asked once, never retried (a banner on every page)."""
    return request("GET", "/admin/review-mode", key=api_key(), retry=False, timeout=timeout)


def contests(status: str = "open") -> dict:
    return get("/contests", status=status)


def oversight_weekly(weeks: int = 12) -> dict:
    return get("/oversight/weekly", weeks=weeks)


def _write(path: str, body: dict) -> Any:
    """An oversight write, in the logged-in manager's name, never retried nor cached."""
    return request("POST", path, body=body, key=api_key(), user=acting_user(), retry=False)


def decide(record: dict) -> dict:
    """A credit decision on one application through ``POST /predict`` (logged)."""
    return _write("/predict", {"clients": [record]})


def override(decision_id: str, decision: str, reason_code: str, comment: str) -> dict:
    return _write(f"/decisions/{decision_id}/override",
                  {"decision": decision, "reason_code": reason_code, "comment": comment})


def record_contest(decision_id: str, statement: str, received_on: str) -> dict:
    return _write(f"/decisions/{decision_id}/contest",
                  {"statement": statement, "received_on": received_on})


def resolve_contest(contest_id: str, outcome: str, comment: str,
                    decision: str | None = None) -> dict:
    body = {"outcome": outcome, "comment": comment}
    if decision is not None:
        body["decision"] = decision
    return _write(f"/contests/{contest_id}/resolve", body)
