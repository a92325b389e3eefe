"""A web-ish worker that reports counters to a local UDP metrics collector."""
import asyncio

from helper_statsd import StatsClient


class Collector(asyncio.DatagramProtocol):
    def __init__(self):
        self.lines: list[str] = []

    def datagram_received(self, data, addr):
        self.lines.append(data.decode())


async def handle_requests(stats: StatsClient, paths: list[str]) -> int:
    served = 0
    for path in paths:
        await asyncio.sleep(0.005)
        stats.incr("requests")
        if path.startswith("/admin"):
            stats.incr("forbidden")
            continue
        served += 1
    return served


async def main():
    loop = asyncio.get_running_loop()
    collector_transport, collector = await loop.create_datagram_endpoint(Collector, local_addr=("127.0.0.1", 0))
    port = collector_transport.get_extra_info("sockname")[1]
    stats = StatsClient("127.0.0.1", port, "shop")
    await stats.connect()
    served = await handle_requests(stats, ["/", "/cart", "/admin/users", "/checkout"])
    await asyncio.sleep(0.05)  # let the datagrams arrive
    collector_transport.close()
    print("served", served)
    for line in sorted(set(collector.lines)):
        print(line, collector.lines.count(line))


if __name__ == "__main__":
    asyncio.run(main())
