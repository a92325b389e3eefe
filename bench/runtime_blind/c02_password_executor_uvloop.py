"""Login service on uvloop: password hashing runs in a thread pool via run_in_executor."""
import asyncio
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor

import uvloop

SALT = b"per-deploy-salt"
ITERATIONS = 600_000


def hash_password(password: str) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, ITERATIONS)


class Auth:
    def __init__(self, pool: ThreadPoolExecutor, users: dict[str, bytes]):
        self.pool = pool
        self.users = users

    async def login(self, user: str, password: str) -> bool:
        loop = asyncio.get_running_loop()
        digest = await loop.run_in_executor(self.pool, hash_password, password)
        expected = self.users.get(user)
        return expected is not None and hmac.compare_digest(digest, expected)


async def main():
    with ThreadPoolExecutor(max_workers=2) as pool:
        loop = asyncio.get_running_loop()
        users = {"ana": await loop.run_in_executor(pool, hash_password, "s3cret")}
        auth = Auth(pool, users)
        attempts = [("ana", "s3cret"), ("ana", "wrong"), ("bob", "s3cret")]
        results = await asyncio.gather(*(auth.login(u, p) for u, p in attempts))
        for (user, password), ok in zip(attempts, results):
            print(f"{user}/{password}: {'ok' if ok else 'denied'}")


if __name__ == "__main__":
    uvloop.run(main())
