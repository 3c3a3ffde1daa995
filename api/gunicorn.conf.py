"""gunicorn settings of the scoring API (environment variables override the defaults)."""

import os
import shutil
import tempfile
from pathlib import Path

from api.reloading import Generation

os.environ.setdefault("OMP_NUM_THREADS", "1")   # one thread per worker: no oversubscription

# Prometheus multiprocess mode: every worker counts into files of one folder, GET /metrics
# sums them. The folder must be empty at start (old files would be added to the new counts)
# and the variable set before any worker imports prometheus_client, hence here, in the master.
_provided_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
metrics_dir = Path(_provided_metrics_dir or tempfile.mkdtemp(prefix="credit-api-metrics-"))
metrics_dir.mkdir(parents=True, exist_ok=True)
for _stale in metrics_dir.glob("*.db"):
    _stale.unlink()
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

bind = f"{os.environ.get('CREDIT_API_HOST', '127.0.0.1')}:{os.environ.get('CREDIT_API_PORT', '8000')}"
workers = int(os.environ.get("CREDIT_API_WORKERS", "2"))
# gevent workers: each connection is a greenlet, so a client that sends its request slowly (or
# not at all) holds a few kilobytes, never a worker. With sync workers two stalled sockets
# froze the service, and nothing buffers requests in front of gunicorn in `make run`;
# gunicorn's design notes name async workers (or a buffering proxy) for exactly this.
# Scoring is CPU-bound and short (about 1 ms), so one greenlet at a time per worker costs
# nothing; the prediction log's writer and the reload watcher become greenlets too.
worker_class = os.environ.get("CREDIT_API_WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("CREDIT_API_WORKER_CONNECTIONS", "1000"))
threads = int(os.environ.get("CREDIT_API_THREADS", "1"))   # sync/gthread only
# Each worker loads the service itself: polars' and OpenMP's thread pools do not survive a
# fork, so a master that loaded the artifacts would leave workers that hang when they load
# them again (POST /admin/reload). Costs one copy of the service per worker.
preload_app = False
timeout = 60
graceful_timeout = 20
# gevent: also the time a connection has to send its request line and headers (then closed)
keepalive = int(os.environ.get("CREDIT_API_KEEPALIVE", "5"))
accesslog = None            # the app logs each request as JSON with its request id
errorlog = "-"
control_socket_disable = True   # gunicorn 26 would open a control socket in ~/.gunicorn


generation = Generation()   # created in the master: the workers share it (POST /admin/reload)


def post_fork(server, worker):
    """Give the new worker the shared generation counter before it builds the app."""
    import sys

    from api import reloading
    reloading.SHARED = generation
    # The prediction log's writer thread holds the interpreter for a few milliseconds per
    # batch; a request arriving meanwhile would wait up to the 5 ms default switch interval
    sys.setswitchinterval(float(os.environ.get("CREDIT_API_SWITCH_INTERVAL", "0.0002")))


def worker_exit(server, worker):
    """A worker stops: its queued prediction-log rows are written (or spilled) first."""
    from credit_scoring_kedro.serving.prediction_log import close_all
    close_all()


def child_exit(server, worker):
    """In the master: a dead worker's counts stay in the totals, its live gauges go."""
    from credit_scoring_kedro.serving.metrics import mark_process_dead
    mark_process_dead(worker.pid)


def on_exit(server):
    if not _provided_metrics_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
