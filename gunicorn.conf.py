"""Gunicorn's settings for the web process: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every number may be changed from the environment (WEB_CONCURRENCY, WX_BIND, ...) without
editing this file. The scheduler is a process of its own (`flask --app wsgi scheduler run`),
never a gunicorn worker."""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("WX_BIND", "127.0.0.1:8000")
#: two per core and one more: workers wait on the database far more than they compute
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
#: a worker silent this long (stuck in a call) is killed and replaced; its transaction rolls back
timeout = int(os.environ.get("WX_WORKER_TIMEOUT", 30))
#: on SIGTERM, requests in flight get this long to finish before their workers are killed
graceful_timeout = int(os.environ.get("WX_GRACEFUL_TIMEOUT", 30))
#: longer than the proxy's idle timeout would cut, shorter than a worker is tied up for nothing
keepalive = 5
#: the proxy on this host may say who the client is (the app's TRUSTED_PROXIES decides)
forwarded_allow_ips = os.environ.get("WX_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

#: gunicorn 24+ opens a control socket at one path per user: two masters on one host (two
#: instances, or a restart overlapping the old master) would share it. Off unless a path is given.
control_socket = os.environ.get("WX_GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

accesslog = "-"
errorlog = "-"
#: the request id ties an access line to the app's log lines and to the user's error page
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)

# Each worker counts its own metrics; in multiprocess mode they write files here that any
# worker's /metrics adds up. Set before a worker imports prometheus_client (workers load the
# app after they fork, and inherit the master's environment).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="wx-prometheus-"))


def on_starting(server):
    """Counts of an earlier run of the master would be added to this one's: start empty."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def child_exit(server, worker):
    """A worker gone (recycled, killed after its timeout) keeps its counts; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
