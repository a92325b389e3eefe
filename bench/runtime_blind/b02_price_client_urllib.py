"""Quote builder that asks a pricing service (a local HTTP server) for prices."""
import asyncio
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PriceHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        item = self.path.rsplit("/", 1)[-1]
        if item == "gpu":
            time.sleep(0.15)  # the pricing service is slow for this item
        body = json.dumps({"item": item, "price": sum(item.encode()) % 90 + 10}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def fetch_price(base_url: str, item: str) -> int:
    with urllib.request.urlopen(f"{base_url}/prices/{item}", timeout=5) as resp:  # EXPECT: blocking-call 150ms
        return json.load(resp)["price"]


async def build_quote(base_url: str, items: list[str]) -> dict[str, int]:
    quote = {}
    for item in items:
        quote[item] = fetch_price(base_url, item)
        await asyncio.sleep(0.01)
    return quote


async def main(base_url: str):
    quote = await build_quote(base_url, ["cpu", "ram", "gpu", "ssd"])
    for item, price in quote.items():
        print(f"{item:>4}: {price}")
    print("total:", sum(quote.values()))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), PriceHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        asyncio.run(main(f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
