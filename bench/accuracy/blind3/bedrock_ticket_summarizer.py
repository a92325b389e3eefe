"""Summarises support tickets with Bedrock; used by the async API and the nightly batch."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from functools import partial

import boto3
from openai import OpenAI

log = logging.getLogger("summarizer")

MODEL_ID = os.environ.get("BEDROCK_MODEL", "anthropic.claude-3-haiku-20240307-v1:0")


class TicketSummarizer:
    def __init__(self, region: str = "eu-central-1") -> None:
        self._runtime = boto3.client("bedrock-runtime", region_name=region)
        self._fallback = OpenAI()

    def summarize_sync(self, ticket: dict) -> str:
        body = {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 300,
            "messages": [{"role": "user", "content": f"Summarise this ticket in 3 bullet points:\n{ticket['body']}"}],
        }
        try:
            resp = self._runtime.invoke_model(modelId=MODEL_ID, body=json.dumps(body))
            return json.loads(resp["body"].read())["content"][0]["text"]
        except self._runtime.exceptions.ThrottlingException:
            log.warning("bedrock throttled, falling back")
            completion = self._fallback.chat.completions.create(
                model="gpt-4o-mini", messages=body["messages"], max_tokens=300
            )
            return completion.choices[0].message.content or ""

    async def summarize(self, ticket: dict) -> str:
        return await asyncio.to_thread(self.summarize_sync, ticket)

    async def summarize_many(self, tickets: list[dict], parallel: int = 4) -> list[str]:
        loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(parallel)

        async def one(ticket: dict) -> str:
            async with sem:
                return await loop.run_in_executor(None, partial(self.summarize_sync, ticket))

        return await asyncio.gather(*(one(t) for t in tickets))


def nightly_batch(path: str) -> None:
    summarizer = TicketSummarizer()
    with open(path) as fh:
        tickets = [json.loads(line) for line in fh]
    for ticket in tickets:
        ticket["summary"] = summarizer.summarize_sync(ticket)
    with open(path + ".summaries", "w") as out:
        for ticket in tickets:
            out.write(json.dumps({"id": ticket["id"], "summary": ticket["summary"]}) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    nightly_batch(sys.argv[1])
