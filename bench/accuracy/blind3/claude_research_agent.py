import asyncio
import logging
import os

import anthropic

log = logging.getLogger(__name__)

MODEL = os.environ.get("RESEARCH_MODEL", "claude-sonnet-4-5")


class ResearchAgent:
    def __init__(self, search_client, cache):
        self.search = search_client
        self.cache = cache
        self.llm = anthropic.AsyncAnthropic()
        self.batch_llm = anthropic.Anthropic()
        self.trace = []

    async def _log_step(self, kind, payload):
        self.trace.append({"kind": kind, **payload})
        await self.cache.lpush("research:trace", repr(payload)[:2000])

    async def summarize(self, doc):
        cached = await self.cache.get(f"summary:{doc['url']}")
        if cached:
            return cached.decode()
        msg = await self.llm.messages.create(
            model=MODEL,
            max_tokens=400,
            messages=[{"role": "user", "content": f"Summarize for a researcher:\n\n{doc['text'][:20000]}"}],
        )
        summary = msg.content[0].text
        await self.cache.set(f"summary:{doc['url']}", summary, ex=86400)
        return summary

    async def plan_queries(self, question):
        msg = self.batch_llm.messages.create(  # bug: ADC101
            model=MODEL,
            max_tokens=300,
            messages=[{"role": "user", "content": f"List 3 web search queries, one per line, for: {question}"}],
        )
        return [q.strip("- ").strip() for q in msg.content[0].text.splitlines() if q.strip()]

    async def research(self, question):
        queries = (await self.plan_queries(question))[:3]
        self._log_step("plan", {"question": question, "queries": queries})  # bug: ADC201
        hits = await asyncio.gather(*(self.search.query(q, limit=3) for q in queries))
        docs = {d["url"]: d for batch in hits for d in batch}

        summaries = []
        for doc in docs.values():
            summaries.append(await self.summarize(doc))  # bug: ADC501

        notes = "\n\n".join(f"- {s}" for s in summaries)
        answer = await self.llm.messages.create(
            model=MODEL,
            max_tokens=1200,
            messages=[{"role": "user", "content": f"Question: {question}\n\nNotes:\n{notes}\n\nAnswer with citations."}],
        )
        await self._log_step("answer", {"question": question})
        return answer.content[0].text
