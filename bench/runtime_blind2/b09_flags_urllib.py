"""A CLI that looks up users through aiohttp and reads feature flags from a local config service."""
import asyncio
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp

USERS = {"1": "ada", "2": "grace", "3": "linus"}


class ConfigHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/flags.json":
            time.sleep(0.2)  # the config service is slow to answer
            body = json.dumps({"new_checkout": True, "dark_mode": False}).encode()
        elif self.path.startswith("/users/"):
            name = USERS.get(self.path.rsplit("/", 1)[1])
            if name is None:
                self.send_error(404)
                return
            body = json.dumps({"name": name}).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def read_flags(base):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/flags.json", timeout=5) as resp:  # EXPECT: blocking-call
        return json.load(resp)


async def lookup(session, base, user_id):
    async with session.get(f"{base}/users/{user_id}") as resp:
        if resp.status != 200:
            return user_id, None
        return user_id, (await resp.json())["name"]


async def main(base):
    async with aiohttp.ClientSession() as session:
        users = await asyncio.gather(*(lookup(session, base, uid) for uid in ("1", "2", "3", "9")))
        flags = read_flags(base)
    for user_id, name in users:
        print(f"user {user_id}: {name or 'not found'}")
    enabled = sorted(k for k, v in flags.items() if v)
    print("flags enabled:", ", ".join(enabled))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), ConfigHandler)
    thread = threading.Thread(target=server.serve_forever, name="config-service")
    thread.start()
    try:
        asyncio.run(main(f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
