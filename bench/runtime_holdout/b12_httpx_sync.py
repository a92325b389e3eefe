import asyncio
import http.server
import threading
import time

import httpx


class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.3)
        body = b'{"rate": 1.1}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


async def exchange_rate(port):
    resp = httpx.get(f"http://127.0.0.1:{port}/rate")  # EXPECT: blocking-call
    return resp.json()["rate"]


async def main(port):
    print("rate", await exchange_rate(port))


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
threading.Thread(target=srv.serve_forever, daemon=True).start()
asyncio.run(main(srv.server_address[1]))
srv.shutdown()
srv.server_close()
