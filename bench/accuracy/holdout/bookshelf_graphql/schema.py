from __future__ import annotations

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from .data import authors_by_ids, fetch_book


@strawberry.type
class Author:
    id: int
    name: str


@strawberry.type
class Review:
    stars: int
    text: str


@strawberry.type
class Book:
    id: int
    title: str
    author_id: strawberry.Private[int]

    @strawberry.field
    async def author(self, info: Info) -> Author | None:
        row = await info.context["author_loader"].load(self.author_id)
        return Author(**row) if row else None

    @strawberry.field
    async def reviews(self, info: Info, limit: int = 5) -> list[Review]:
        r = await info.context["http"].get(
            f"http://reviews.internal/books/{self.id}/reviews", params={"limit": limit}
        )
        r.raise_for_status()
        return [Review(stars=x["stars"], text=x["text"]) for x in r.json()]


@strawberry.type
class Query:
    @strawberry.field
    async def book(self, info: Info, id: int) -> Book | None:
        row = await fetch_book(info.context["pool"], id)
        return Book(**row) if row else None

    @strawberry.field
    async def books(self, info: Info, ids: list[int]) -> list[Book]:
        pool = info.context["pool"]
        rows = [await fetch_book(pool, i) for i in ids]  # bug: ADC501
        return [Book(**r) for r in rows if r]


def make_context(pool, http) -> dict:
    return {
        "pool": pool,
        "http": http,
        "author_loader": DataLoader(load_fn=lambda ids: authors_by_ids(pool, list(ids))),
    }


schema = strawberry.Schema(query=Query)
