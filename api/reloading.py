"""One champion for every gunicorn worker, without a restart.

``POST /admin/reload`` reaches a single worker. That worker loads the service again through
the catalog (so it asks the MLflow Model Registry which version the ``champion`` alias of
``credit_default_scorer`` names now, and fetches that version into the local registry cache
unless it is there already), swaps it in, and bumps a
generation counter kept in shared memory. ``api/gunicorn.conf.py`` creates the counter in
gunicorn's master and hands it to every worker right after the fork (``post_fork``), so all
workers read the same memory; each compares it with its own generation before every request
(one memory read) and, when behind, loads the new service on a background thread while it
goes on answering with the previous one. Until then its answers carry the previous model
version, as every answer says which version produced it. Outside gunicorn (tests, one
process) each app has a counter of its own.

Nothing watches the registry: moving the alias (``make promote``, ``make rollback``) changes
what is served only at the next ``POST /admin/reload`` (or when a worker starts), and the
scoring path never queries MLflow (the registry is read only while loading).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("api")


class ReloadFailed(RuntimeError):
    """The new service could not be loaded; the previous one is still served."""


class Generation:
    """A counter in shared memory (visible to every process forked after its creation)."""

    def __init__(self) -> None:
        self._value = multiprocessing.RawValue("Q", 0)
        self._lock = multiprocessing.Lock()

    @property
    def value(self) -> int:
        return self._value.value

    def bump(self) -> int:
        with self._lock:
            self._value.value += 1
            return self._value.value


#: set in each gunicorn worker by ``post_fork`` (api/gunicorn.conf.py); None elsewhere
SHARED: Generation | None = None


class Reloader:
    """Holds the served state and swaps it when the champion changes."""

    def __init__(self, extensions: dict, loader: Callable[[], Any],
                 shared: Generation | None = None) -> None:
        self._extensions = extensions        # app.extensions: "scoring" is the served state
        self._loader = loader
        self._shared = shared or SHARED or Generation()
        self._seen = self._shared.value      # the state it starts with is current
        self._local_lock = threading.Lock()
        self._catching_up = False

    @property
    def generation(self) -> int:
        return self._seen

    def reload(self) -> dict:
        """Load the champion now in this worker and tell the others (raises ReloadFailed)."""
        with self._local_lock:
            previous = self._extensions["scoring"].service
            started = time.perf_counter()
            state = self._loader()
            if state.service is None:
                raise ReloadFailed(state.error or "unknown error")
            self._seen = self._shared.bump()
            self._swap(state)
        old = previous.bundle.version if previous else None
        new = state.service.bundle.version
        logger.info("model reloaded: %s -> %s (generation %d)", old, new, self._seen)
        return {"status": "reloaded", "previous_version": old, "model_version": new,
                "changed": old != new, "generation": self._seen,
                "loaded_in_s": round(time.perf_counter() - started, 3)}

    def catch_up(self) -> None:
        """Before each request: start loading in the background when another worker reloaded."""
        if self._shared.value == self._seen or self._catching_up:
            return
        with self._local_lock:
            if self._catching_up or self._shared.value == self._seen:
                return
            self._catching_up = True
        threading.Thread(target=self._load_in_background, name="model-reload",
                         daemon=True).start()

    def _load_in_background(self) -> None:
        target = self._shared.value
        try:
            state = self._loader()
            with self._local_lock:
                self._seen = max(self._seen, target)
                if state.service is None:
                    # keep serving the previous model; do not retry in a loop
                    logger.error("model reload failed in this worker, still serving %s: %s",
                                 self._served_version(), state.error)
                else:
                    self._swap(state)
                    logger.info("model reloaded in this worker: %s", state.service.bundle.version)
        finally:
            self._catching_up = False

    def _served_version(self) -> str | None:
        service = self._extensions["scoring"].service
        return service.bundle.version if service else None

    def _swap(self, state) -> None:
        previous = self._extensions["scoring"].service
        self._extensions["scoring"] = state
        if previous is not None and previous.log is not None:
            # what the previous service queued is still written, off the request thread
            threading.Thread(target=previous.log.flush, daemon=True).start()
