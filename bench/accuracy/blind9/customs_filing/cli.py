"""`customs` command line: file manifests, classify one description."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import click

from . import broker, manifests


@click.group()
@click.option("-v", "--verbose", is_flag=True)
def main(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def file(paths: tuple[Path, ...]) -> None:
    """File one customs entry per manifest CSV."""
    loaded = [manifests.load(p) for p in paths]
    for manifest in loaded:
        number = asyncio.run(broker.file_manifest(manifest))  # bug: ADC505
        click.echo(f"{manifest.bill_of_lading}\t{number}")


@main.command()
@click.argument("description")
def classify(description: str) -> None:
    """Print the HTS code for one goods description."""
    click.echo(manifests.hts_code_sync(description))


if __name__ == "__main__":
    main()
