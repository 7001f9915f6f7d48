"""gunicorn settings for the application containers (Dockerfile, deploy/compose.yaml).

Every value can be changed from the environment without editing this file:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers, (2 x cores) + 1: the portal's requests are short CPU work in Python.
workers = int(os.environ.get("GUNICORN_WORKERS", "5"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then; the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory, not on the container's (possibly slow) overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 27 opens a control socket under $HOME at start; nothing here uses it.
control_socket_disable = True

# Access log on stdout: the client as nginx saw it, the response time in
# milliseconds (%(M)s) and the request id the application answered with (the one
# nginx generated, or its own), so a slow save can be followed from nginx to the app.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms '
    'rid=%({x-request-id}o)s "%(f)s" "%(a)s"'
)
