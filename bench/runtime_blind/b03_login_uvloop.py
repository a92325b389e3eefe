"""Login endpoint logic: verifies passwords and issues session tokens (uvloop)."""
import asyncio
import hashlib
import hmac

import uvloop

ITERATIONS = 2_000_000
SALT = b"static-salt-for-demo"


class UserStore:
    def __init__(self):
        self.hashes: dict[str, bytes] = {}
        self.tokens: dict[str, str] = {}

    def register(self, user: str, digest: bytes):
        self.hashes[user] = digest


class AuthService:
    def __init__(self, store: UserStore):
        self.store = store

    async def login(self, user: str, password: str) -> str | None:
        await asyncio.sleep(0.02)  # pretend to read the user row
        expected = self.store.hashes.get(user)
        if expected is None:
            return None
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, ITERATIONS)  # EXPECT: blocking-call
        if not hmac.compare_digest(digest, expected):
            return None
        token = hashlib.sha256(user.encode() + digest).hexdigest()[:16]
        self.store.tokens[token] = user
        return token

    async def whoami(self, token: str) -> str:
        await asyncio.sleep(0)
        return self.store.tokens.get(token, "anonymous")


async def main(store: UserStore):
    auth = AuthService(store)
    missing = await auth.login("mallory", "guess")
    print("mallory:", missing)
    token = await auth.login("alice", "correct horse")
    print("alice token:", token)
    print("whoami:", await auth.whoami(token))


if __name__ == "__main__":
    users = UserStore()
    # precomputed at deploy time (outside the event loop)
    users.register("alice", hashlib.pbkdf2_hmac("sha256", b"correct horse", SALT, ITERATIONS))
    uvloop.run(main(users))
