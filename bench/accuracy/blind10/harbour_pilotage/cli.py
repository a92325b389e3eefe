"""Harbour office command line."""
import asyncio
import os
from datetime import date, datetime

import click

from . import roster, tides

DSN = os.environ.get("PILOTAGE_DSN", "postgresql://pilotage@db/harbour")


@click.group()
def cli() -> None:
    pass


@cli.command("send-rosters")
@click.option("--week", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
def send_rosters(week: datetime) -> None:
    start = week.date()
    pilots = asyncio.run(roster.load_pilots(DSN, start))
    for pilot in pilots:
        asyncio.run(roster.send_roster(pilot, start))  # bug: ADC505
        click.echo(f"sent roster to {pilot['name']}")


@cli.command("height")
@click.argument("when", type=click.DateTime(formats=["%Y-%m-%dT%H:%M"]))
def height(when: datetime) -> None:
    click.echo(f"{tides.height_at_sync(tides.STATION, when):.2f} m above chart datum")


if __name__ == "__main__":
    cli()
