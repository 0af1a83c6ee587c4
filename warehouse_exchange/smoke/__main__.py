"""python -m warehouse_exchange.smoke [--seconds 60] [--admin-url postgresql+psycopg://...]"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter

from sqlalchemy import text

from ..bench.database import DEFAULT_POSTGRES_URL, fresh_database
from ..extensions import db
from . import processes, report
from .chaos import Chaos
from .checks import RELEASED, Check, database_checks
from .probes import login_limit, redis_outage
from .scenario import SMOKE_SECRET, build, smoke_app
from .traffic import Traffic

BUCKET = "wx-smoke-uploads"
S3_KEYS = {"WX_S3_ACCESS_KEY_ID": "smoke", "WX_S3_SECRET_ACCESS_KEY": "smoke-secret"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse_exchange.smoke")
    parser.add_argument("--seconds", type=float, default=60, help="how long traffic runs")
    parser.add_argument("--admin-url", default=os.environ.get("WX_SMOKE_ADMIN_URL",
                                                              DEFAULT_POSTGRES_URL))  # fmt: skip
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    with fresh_database("postgresql", args.admin_url) as url:
        return run(url, args.seconds)


def run(database_url: str, seconds: float) -> int:
    started = perf_counter()
    redis = processes.redis(processes.free_port())
    s3 = processes.s3_server(processes.free_port())
    environment = _environment(database_url, redis.port, s3.port)
    with processes.running([redis, s3]):
        _create_bucket(s3.port)
        # the demo's photos go to the bucket the instances read, not to this host's disk
        scenario = build(database_url, _storage(environment))
        released_before = _scalar(database_url, RELEASED)
        ports = [processes.free_port(), processes.free_port()]
        instances = [processes.web(f"web-{n + 1}", port, environment)
                     for n, port in enumerate(ports)]  # fmt: skip
        schedulers = [processes.scheduler(f"scheduler-{n + 1}", environment) for n in range(2)]
        with processes.running(instances + schedulers):
            traffic = Traffic(ports, scenario, seconds)
            chaos = Chaos(instances[0], schedulers[0], seconds)
            tally = traffic.run(chaos)
            checks = [login_limit(ports, tally)]
            outage_checks, redis = redis_outage(redis, ports, tally)
            checks += outage_checks
            crashed = [s.name for s in instances + schedulers if not s.running()]
        redis.stop()
        _race_the_last_jobs(environment)
    checks += _upload_checks(traffic) + _after_run(database_url, tally, crashed)
    app = smoke_app(database_url)
    with app.app_context():
        checks += database_checks()
        db.engine.dispose()
    released = _scalar(database_url, RELEASED) - released_before
    report.print_report(tally, chaos, checks, released, perf_counter() - started, seconds)
    return 0 if all(check.holds for check in checks) else 1


def _environment(database_url: str, redis_port: int, s3_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "WX_ENV": "production",
        "WX_SECRET_KEY": SMOKE_SECRET,
        "WX_SQLALCHEMY_DATABASE_URI": database_url,
        "WX_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0",
        "WX_TRUSTED_PROXIES": "1",
        "WX_FILE_STORAGE": "s3",
        "WX_S3_BUCKET": BUCKET,
        "WX_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "WX_S3_REGION": "us-east-1",
        **S3_KEYS,
        "LOG_LEVEL": "WARNING",
    }


def _storage(environment: dict[str, str]) -> dict[str, str]:
    """The file store settings of the environment, as app configuration."""
    names = ("FILE_STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID",
             "S3_SECRET_ACCESS_KEY")  # fmt: skip
    return {name: environment[f"WX_{name}"] for name in names}


def _create_bucket(port: int) -> None:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id=S3_KEYS["WX_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["WX_S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=BUCKET)


def _race_the_last_jobs(environment: dict[str, str]) -> None:
    """Start due leases, then release what is due, each job in two processes at once: the
    schedulers run them on their intervals too, and together they must post each release once."""
    for job in ("advance-leases", "release-escrow"):
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "once", job]
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(subprocess.run, command, env=environment, capture_output=True,
                            cwd=processes.PROJECT_ROOT, timeout=120)
                for _ in range(2)
            ]  # fmt: skip
            for finished in runs:
                result = finished.result()
                if result.returncode != 0:
                    raise RuntimeError(f"{job} failed:\n{result.stderr.decode()[-2000:]}")


def _upload_checks(traffic: Traffic) -> list[Check]:
    return [
        Check("uploads through one instance read back through the other",
              f"{traffic.uploads_read} read back, {len(traffic.upload_mismatches)} not: "
              f"{traffic.upload_mismatches[:3]}",
              traffic.uploads_read > 0 and not traffic.upload_mismatches),
    ]  # fmt: skip


def _after_run(database_url: str, tally, crashed: list[str]) -> list[Check]:
    return [
        Check("no answer of 500 or more", f"{tally.errors()} of {tally.count()}: "
              f"{tally.server_errors[:5]}", tally.errors() == 0),
        Check("every process still running at the end", ", ".join(crashed) or "all running",
              not crashed),
    ]  # fmt: skip


def _scalar(database_url: str, sql: str) -> int:
    app = smoke_app(database_url)
    with app.app_context():
        value = db.session.execute(text(sql)).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return value


if __name__ == "__main__":
    sys.exit(main())
