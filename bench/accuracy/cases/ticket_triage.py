"""Helpdesk triage bot: classifies new tickets and assigns them to an agent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)

CLASSIFIER = "http://nlp.internal/v1/classify"


@dataclass
class Ticket:
    id: int
    subject: str
    body: str
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None


class TriageBot:
    def __init__(self, helpdesk, client: httpx.AsyncClient, agents: dict[str, str]) -> None:
        self.helpdesk = helpdesk
        self.client = client
        self.agents = agents  # label -> agent

    async def classify(self, ticket: Ticket) -> list[str]:
        resp = await self.client.post(CLASSIFIER, json={"text": f"{ticket.subject}\n{ticket.body}"})
        resp.raise_for_status()
        return [label for label, score in resp.json()["labels"] if score > 0.6]

    async def assign(self, ticket: Ticket, agent: str) -> None:
        await self.helpdesk.update(ticket.id, assignee=agent, labels=ticket.labels)
        ticket.assignee = agent

    async def triage_new(self) -> int:
        tickets = await self.helpdesk.list(status="new", limit=50)
        for ticket in tickets:
            ticket.labels = await self.classify(ticket)  # bug: ADC501
        assigned = 0
        for ticket in tickets:
            agent = next((self.agents[lab] for lab in ticket.labels if lab in self.agents), None)
            if agent is None:
                continue
            self.assign(ticket, agent)  # bug: ADC201
            assigned += 1
        log.info("triaged %d tickets, assigned %d", len(tickets), assigned)
        return assigned
