"""gunicorn settings of the scoring API (environment variables override the defaults)."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")   # one thread per worker: no oversubscription

bind = f"{os.environ.get('CREDIT_API_HOST', '127.0.0.1')}:{os.environ.get('CREDIT_API_PORT', '8000')}"
workers = int(os.environ.get("CREDIT_API_WORKERS", "2"))
worker_class = os.environ.get("CREDIT_API_WORKER_CLASS", "sync")   # gthread keeps connections alive
threads = int(os.environ.get("CREDIT_API_THREADS", "1"))
preload_app = True          # load the model once; workers share its memory (copy-on-write)
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = None            # the app logs each request as JSON with its request id
errorlog = "-"
control_socket_disable = True   # gunicorn 26 would open a control socket in ~/.gunicorn
