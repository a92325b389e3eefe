import http.server
import threading
import time
import urllib.request

import uvloop


class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.3)
        body = b"pong"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def start_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


async def ping(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping") as resp:  # EXPECT: blocking-call
        return resp.read().decode()


async def main(port):
    print("got", await ping(port))


srv = start_server()
try:
    uvloop.run(main(srv.server_address[1]))
finally:
    srv.shutdown()
    srv.server_close()
