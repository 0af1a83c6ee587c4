"""`flask` commands: operator accounts and demo data."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .adapters.clock import utc_today
from .errors import DomainError


def register(app: Flask) -> None:
    from .scheduler.cli import scheduler_cli

    app.cli.add_command(create_operator)
    app.cli.add_command(demo)
    app.cli.add_command(scheduler_cli)


@click.command("create-operator")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_operator(email: str, name: str, password: str) -> None:
    """Create a platform operator account."""
    from .accounts.services import create_operator as create

    try:
        user = create(email, name, password)
    except DomainError as error:
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from error
    click.echo(f"Operator {user.email} created.")


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when organizations already exist.")
def load(if_empty: bool) -> None:
    """Load the deterministic demo marketplace."""
    from .demo import demo_is_loaded, load_demo_data
    from .scheduler import demo_clock

    if demo_clock.enabled(current_app.config):
        demo_clock.load_offset()
    if if_empty and demo_is_loaded():
        click.echo("Data present; demo data not loaded.")
        return
    summary = load_demo_data(current_app.extensions["geocoder"], utc_today())
    click.echo(f"Demo data loaded: {summary}")


@demo.command("advance")
@click.option("--days", type=click.IntRange(1, 366), required=True, help="How many days (1–366).")
def advance(days: int) -> None:
    """Move the demo clock forward, running every scheduled job once for each day passed."""
    from .scheduler import demo_clock

    app = current_app._get_current_object()
    try:
        if demo_clock.enabled(app.config):
            demo_clock.load_offset()
        result = demo_clock.advance(app, days)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    changed = sum(result.changed.values())
    click.echo(
        f"Today is {result.today} on the demo clock ({result.offset_days} days ahead); "
        f"the jobs changed {changed} item(s)."
    )
    for failure in result.failures:
        click.echo(f"failed: {failure}", err=True)
