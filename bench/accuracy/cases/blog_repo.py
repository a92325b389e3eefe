from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload

from blog.models import Comment, Post

engine = create_async_engine("postgresql+asyncpg://blog@db/blog", pool_size=10)
Session = async_sessionmaker(engine, expire_on_commit=False)


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def publish(self, title: str, body: str, author_id: int) -> Post:
        post = Post(title=title, body=body, author_id=author_id,
                    published_at=datetime.now(timezone.utc))
        self.session.add(post)
        await self.session.commit()
        await self.session.refresh(post)
        return post

    async def with_comments(self, post_id: int) -> Post | None:
        stmt = select(Post).options(selectinload(Post.comments)).where(Post.id == post_id)
        result = await self.session.execute(stmt)
        return result.scalars().first()

    async def comment(self, post_id: int, author_id: int, text: str) -> Comment:
        async with self.session.begin():
            comment = Comment(post_id=post_id, author_id=author_id, text=text)
            self.session.add_all([comment])
        return comment

    async def counts(self) -> dict[int, int]:
        stmt = select(Comment.post_id, func.count()).group_by(Comment.post_id)
        rows = (await self.session.execute(stmt)).all()
        return {post_id: n for post_id, n in rows}


async def recent_titles(limit: int = 10) -> list[str]:
    async with Session() as session:
        result = await session.execute(select(Post.title).order_by(Post.id.desc()).limit(limit))
        return list(result.scalars())


async def dispose() -> None:
    await engine.dispose()
