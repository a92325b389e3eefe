"""Watch hot wallets on an EVM chain and alert when a balance drops too low."""
import asyncio
import logging
import signal
from decimal import Decimal

from web3 import AsyncHTTPProvider, AsyncWeb3

log = logging.getLogger("wallet_watcher")

RPC_URL = "https://eth-mainnet.example-rpc.io/v2/KEY"
WALLETS = {
    "payouts": "0x1111111111111111111111111111111111111111",
    "gas-station": "0x2222222222222222222222222222222222222222",
    "bridge-refill": "0x3333333333333333333333333333333333333333",
}
ALERT_BELOW = Decimal("0.5")


class Watcher:
    def __init__(self, w3: AsyncWeb3) -> None:
        self.w3 = w3
        self.stopping = asyncio.Event()
        self.last_block = 0

    async def balances(self) -> dict[str, Decimal]:
        out = {}
        for name, address in WALLETS.items():
            wei = await self.w3.eth.get_balance(AsyncWeb3.to_checksum_address(address))  # bug: ADC501
            out[name] = Decimal(wei) / Decimal(10**18)
        return out

    async def new_blocks(self) -> list[int]:
        head = await self.w3.eth.block_number
        if self.last_block == 0:
            self.last_block = head
            return []
        blocks = list(range(self.last_block + 1, head + 1))
        self.last_block = head
        return blocks

    async def tick(self) -> None:
        if not await self.new_blocks():
            return
        for name, eth in (await self.balances()).items():
            if eth < ALERT_BELOW:
                log.warning("%s is low: %s ETH", name, eth)

    async def shutdown(self) -> None:
        log.info("stopping watcher")
        self.stopping.set()
        await self.w3.provider.disconnect()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.shutdown)  # bug: ADC202
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        while not self.stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("tick failed")
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=12)
            except asyncio.TimeoutError:
                pass


async def main() -> None:
    w3 = AsyncWeb3(AsyncHTTPProvider(RPC_URL))
    if not await w3.is_connected():
        raise SystemExit("RPC unreachable")
    await Watcher(w3).run()


if __name__ == "__main__":
    asyncio.run(main())
