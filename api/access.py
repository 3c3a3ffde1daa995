"""Who may call what, and how often: API keys with roles, and a rate limit per key.

Keys are on by default. They come from ``conf/local/credentials.yml`` (written by the first
``make run``, see ``credit_scoring_kedro.serving.credentials``) and from ``CREDIT_API_KEY``
(one admin key, for containers). With no key anywhere the API fails closed: protected
endpoints refuse everybody. Serving without keys needs ``CREDIT_API_AUTH=off`` and logs a
warning at every start.

Roles nest: ``viewer`` reads client data, explanations and simulations; ``scorer`` may also
take credit decisions (``POST /predict``); ``manager`` may also oversee them (override a
decision, record and resolve a client's contest, naming the person in ``X-Acting-User``);
``admin`` may also switch the review mode and reload the model. The limits
per role come from ``conf/base/api_security.yml``; a key is identified by its name, an
anonymous caller (open endpoints) by its address.
"""

from __future__ import annotations

import hmac
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.errors import ApiError
from credit_scoring_kedro.serving import credentials
from credit_scoring_kedro.serving.credentials import ApiKey

logger = logging.getLogger("api")

DEFAULT_SETTINGS: dict[str, Any] = {
    "rate_limits": {"viewer": "1200 per minute", "scorer": "6000 per minute",
                    "manager": "1200 per minute", "admin": "600 per minute",
                    "anonymous": "1200 per minute"},
    "rate_limit_storage": "memory://",
    "unlimited_paths": ["/api/v1/health", "/api/v1/ready"],
}
OPEN_AUTH = ApiKey("auth-off", "admin")   # every caller, when CREDIT_API_AUTH=off


@dataclass
class Access:
    """The keys the server accepts, and whether it checks them at all."""

    keys: dict[str, ApiKey] = field(default_factory=dict)
    enabled: bool = True
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    limits_enabled: bool = True

    @classmethod
    def off(cls) -> Access:
        """No key checked (tests; ``CREDIT_API_AUTH=off``)."""
        return cls(enabled=False)

    @classmethod
    def with_key(cls, key: str, role: str = "admin", **kwargs) -> Access:
        return cls(keys={key: ApiKey("key", role)}, **kwargs)

    @classmethod
    def from_environment(cls) -> Access:
        """Keys from the credentials file and ``CREDIT_API_KEY``; settings from the catalog."""
        settings = _settings()
        limits_enabled = os.environ.get("CREDIT_API_RATE_LIMITS", "on").lower() != "off"
        if not limits_enabled:
            logger.warning("RATE LIMITS OFF (CREDIT_API_RATE_LIMITS=off): any key may send "
                           "any number of requests")
        if os.environ.get("CREDIT_API_AUTH", "on").lower() == "off":
            logger.warning("API KEYS OFF (CREDIT_API_AUTH=off): every endpoint answers anyone, "
                           "client data included. Never serve this beyond your own machine.")
            return cls(enabled=False, settings=settings, limits_enabled=limits_enabled)
        keys = credentials.api_keys(credentials.read())
        env_key = os.environ.get("CREDIT_API_KEY", "")
        if env_key:
            keys[env_key] = ApiKey("env", "admin")
        if not keys:
            logger.error("NO API KEY CONFIGURED: protected endpoints refuse every request. "
                         "Run `make credentials` (or set CREDIT_API_KEY); CREDIT_API_AUTH=off "
                         "serves without keys")
        else:
            logger.info("API keys loaded: %s", ", ".join(
                sorted(f"{k.name} ({k.role})" for k in keys.values())))
        return cls(keys, True, settings, limits_enabled)

    def caller(self) -> ApiKey | None:
        """The key of this request (``X-API-Key`` or ``Authorization: Bearer``), or None."""
        if not self.enabled:
            return OPEN_AUTH
        sent = request.headers.get("X-API-Key", "")
        if not sent:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            sent = token.strip() if scheme.lower() == "bearer" else ""
        if not sent:
            return None
        found = None
        for secret, key in self.keys.items():   # compare with every key: no timing shortcut
            if hmac.compare_digest(sent.encode(), secret.encode()):
                found = key
        return found

    def check(self, required_role: str) -> ApiKey:
        """The caller's key if its role allows ``required_role``; 401 or 403 otherwise."""
        key = self.caller()
        if key is None:
            raise ApiError(401, "unauthorized",
                           "This endpoint needs a valid API key in the X-API-Key header")
        if not key.may(required_role):
            raise ApiError(403, "forbidden", f"This endpoint needs a key with role "
                           f"{required_role!r} or above; this key's role is {key.role!r}")
        return key


def _settings() -> dict[str, Any]:
    try:
        from credit_scoring_kedro.serving import artifacts

        loaded = artifacts.load_artifact("api_security") or {}
    except Exception as error:  # a missing file must not keep the API from starting
        logger.error("api_security settings not loaded (%s): using the defaults", error)
        loaded = {}
    merged = {**DEFAULT_SETTINGS, **loaded}
    merged["rate_limits"] = {**DEFAULT_SETTINGS["rate_limits"], **loaded.get("rate_limits", {})}
    storage = os.environ.get("CREDIT_API_RATE_LIMIT_STORAGE")
    if storage:
        merged["rate_limit_storage"] = storage
    return merged


def install_rate_limits(app: Flask, access: Access) -> Limiter:
    """A limit per key (per address without one), by role; answers 429 with Retry-After.

    Call after the hook that sets ``g.caller``: flask-limiter checks in its own
    ``before_request``, which must see who is calling.
    """
    limits = access.settings["rate_limits"]
    unlimited = set(access.settings.get("unlimited_paths", []))

    def identity() -> str:
        key = g.get("caller")
        return f"key:{key.name}" if key is not None and access.enabled else \
            f"addr:{get_remote_address()}"

    def limit_of() -> str:
        key = g.get("caller")
        return limits.get(key.role if key is not None and access.enabled else "anonymous",
                          limits["anonymous"])

    return Limiter(identity, app=app, default_limits=[limit_of], headers_enabled=True,
                   storage_uri=access.settings["rate_limit_storage"],
                   strategy="fixed-window", enabled=access.limits_enabled,
                   default_limits_exempt_when=lambda: request.path in unlimited
                   or request.method == "OPTIONS")
