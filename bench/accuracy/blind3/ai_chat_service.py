"""Chat completion endpoint with moderation, used by the support widget."""
from __future__ import annotations

import os
from typing import AsyncIterator

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel

router = APIRouter(prefix="/chat")

MODERATION_URL = os.environ.get("MODERATION_URL", "http://moderation.internal/v1/check")


class ChatTurn(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    conversation_id: str
    messages: list[ChatTurn]


class ChatService:
    def __init__(self, model: str = "gpt-4o-mini") -> None:
        self.model = model
        self._stream_client = AsyncOpenAI()
        self._client = OpenAI()

    async def title_for(self, messages: list[ChatTurn]) -> str:
        prompt = "Give this support conversation a title of at most six words:\n" + "\n".join(
            f"{m.role}: {m.content}" for m in messages[:6]
        )
        completion = self._client.chat.completions.create(  # bug: ADC101
            model=self.model, messages=[{"role": "user", "content": prompt}], max_tokens=20
        )
        return (completion.choices[0].message.content or "").strip().strip('"')

    async def stream(self, messages: list[ChatTurn]) -> AsyncIterator[str]:
        stream = await self._stream_client.chat.completions.create(
            model=self.model, messages=[m.model_dump() for m in messages], stream=True
        )
        async for chunk in stream:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                yield f"data: {delta}\n\n"
        yield "data: [DONE]\n\n"


def get_chat_service(request: Request) -> ChatService:
    return request.app.state.chat_service


async def check_moderation(text: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as client:  # bug: ADC402
        resp = await client.post(MODERATION_URL, json={"text": text})
        resp.raise_for_status()
        return resp.json()["flagged"]


@router.post("/completions")
async def chat(body: ChatRequest, service: ChatService = Depends(get_chat_service)) -> StreamingResponse:
    if not body.messages:
        raise HTTPException(400, "empty conversation")
    if await check_moderation(body.messages[-1].content):
        raise HTTPException(422, "message rejected by moderation")
    return StreamingResponse(service.stream(body.messages), media_type="text/event-stream")


@router.post("/title")
async def title(body: ChatRequest, service: ChatService = Depends(get_chat_service)) -> dict[str, str]:
    return {"conversation_id": body.conversation_id, "title": await service.title_for(body.messages)}
