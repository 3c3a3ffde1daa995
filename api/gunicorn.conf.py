"""gunicorn settings of the scoring API (environment variables override the defaults)."""

import os

from api.reloading import Generation

os.environ.setdefault("OMP_NUM_THREADS", "1")   # one thread per worker: no oversubscription

bind = f"{os.environ.get('CREDIT_API_HOST', '127.0.0.1')}:{os.environ.get('CREDIT_API_PORT', '8000')}"
workers = int(os.environ.get("CREDIT_API_WORKERS", "2"))
worker_class = os.environ.get("CREDIT_API_WORKER_CLASS", "sync")   # gthread keeps connections alive
threads = int(os.environ.get("CREDIT_API_THREADS", "1"))
# Each worker loads the service itself: polars' and OpenMP's thread pools do not survive a
# fork, so a master that loaded the artifacts would leave workers that hang when they load
# them again (POST /admin/reload). Costs one copy of the service per worker.
preload_app = False
timeout = 60
graceful_timeout = 20
keepalive = 5
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
