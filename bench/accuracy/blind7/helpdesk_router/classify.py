"""Ticket classification with an LLM (sync OpenAI client, shared with the
offline evaluation notebook)."""
import json

from openai import OpenAI

_client = OpenAI()

QUEUES = {"billing": 360001, "tech": 360002, "shipping": 360003, "returns": 360004}
PROMPT = (
    "Classify the support ticket into one of: billing, tech, shipping, returns. "
    'Answer as JSON: {"queue": ..., "tags": [...], "urgent": true|false}.'
)


def classify(subject: str, body: str) -> dict:
    resp = _client.chat.completions.create(
        model="gpt-4o-mini",
        response_format={"type": "json_object"},
        messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": f"{subject}\n\n{body[:6000]}"}],
    )
    return json.loads(resp.choices[0].message.content)
