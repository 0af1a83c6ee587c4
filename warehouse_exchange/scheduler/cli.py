"""`flask scheduler run` (the scheduler's own process) and `flask scheduler once JOB`."""

from __future__ import annotations

import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import AppGroup

from . import jobs

scheduler_cli = AppGroup("scheduler", help="The marketplace's scheduled jobs.")


@scheduler_cli.command("run")
def run_forever() -> None:
    """Run every job on its interval until stopped (one process; gunicorn workers never do)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    port = current_app.config.get("SCHEDULER_METRICS_PORT")
    if port:
        from ..observability.metrics import serve_alone

        serve_alone(int(port))
    scheduler = BlockingScheduler(timezone="UTC")
    jobs.schedule(scheduler, current_app._get_current_object())
    click.echo(f"Scheduler running {len(jobs.JOBS)} jobs; Ctrl+C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


@scheduler_cli.command("once")
@click.argument("name", type=click.Choice([job.name for job in jobs.JOBS]))
def run_once(name: str) -> None:
    """Run one job now."""
    job = next(job for job in jobs.JOBS if job.name == name)
    changed = jobs.run(current_app._get_current_object(), job)
    click.echo(f"{name}: {changed} item(s) changed")
