"""`python -m notify_hub.admin verify-sender ops@example.com`"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys

import aiohttp
import boto3

from .channels import EmailChannel, SlackChannel
from .dispatcher import Dispatcher, Notification


def verify_sender(address: str) -> None:
    ses = boto3.client("ses", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
    ses.verify_email_identity(EmailAddress=address)
    print(f"verification mail sent to {address}")


async def send_test(recipient: str) -> int:
    async with aiohttp.ClientSession() as session:
        dispatcher = Dispatcher(
            {
                "slack": SlackChannel(session, os.environ["SLACK_WEBHOOK"]),
                "email": EmailChannel("smtp.example.com", 587, "noreply@example.com"),
            }
        )
        notes = [
            Notification("slack", recipient, "notify_hub test message"),
            Notification("email", recipient, "notify_hub test message"),
        ]
        return await dispatcher.send_all(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="notify_hub.admin")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify-sender").add_argument("address")
    sub.add_parser("send-test").add_argument("recipient")
    args = parser.parse_args(argv)

    if args.cmd == "verify-sender":
        verify_sender(args.address)
        return 0
    delivered = asyncio.run(send_test(args.recipient))
    return 0 if delivered == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
