"""Click commands run by cron on the station's server."""
from __future__ import annotations

import asyncio
import sqlite3

import click

from . import lists, render, sender

DB_PATH = "/var/lib/newsletter/campaigns.db"


def due_campaigns(db: sqlite3.Connection) -> list[sender.Campaign]:
    rows = db.execute(
        "SELECT id, list_id, subject, template, context FROM campaigns "
        "WHERE sent_at IS NULL AND send_after <= datetime('now') ORDER BY send_after").fetchall()
    out = []
    for cid, list_id, subject, template, context in rows:
        html = render.render_campaign(template, {"context": context})
        out.append(sender.Campaign(cid, list_id, subject, html))
    return out


@click.group()
def cli() -> None:
    pass


@cli.command("send-due")
def send_due() -> None:
    db = sqlite3.connect(DB_PATH)
    try:
        for campaign in due_campaigns(db):
            sent = asyncio.run(sender.send_campaign(campaign))  # bug: ADC505
            db.execute("UPDATE campaigns SET sent_at = datetime('now'), sent = ? WHERE id = ?",
                       (sent, campaign.id))
            db.commit()
            click.echo(f"campaign {campaign.id}: {sent} sent")
    finally:
        db.close()


@cli.command("count")
@click.argument("list_id", type=int)
def count(list_id: int) -> None:
    click.echo(len(lists.subscribers_sync(list_id)))


if __name__ == "__main__":
    cli()
