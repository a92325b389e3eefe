"""Send the weekly creator payouts from the hot wallet (web3.py, async)."""
import asyncio
import csv
import logging
import sys
from decimal import Decimal

from eth_account import Account
from web3 import AsyncHTTPProvider, AsyncWeb3

log = logging.getLogger("payouts")

RPC = "https://eth-mainnet.example-rpc.io/v2/KEY"
CHAIN_ID = 1


def load_payouts(path: str) -> list[tuple[str, Decimal]]:
    with open(path, newline="") as fh:
        return [(row["address"], Decimal(row["eth"])) for row in csv.DictReader(fh)]


async def send_all(w3: AsyncWeb3, account, payouts: list[tuple[str, Decimal]]) -> list[str]:
    nonce, gas_price = await asyncio.gather(
        w3.eth.get_transaction_count(account.address, "pending"),
        w3.eth.gas_price,
    )
    hashes = []
    # each transaction takes the next nonce: they are signed and sent in order
    for offset, (to, eth) in enumerate(payouts):
        tx = {
            "to": AsyncWeb3.to_checksum_address(to),
            "value": AsyncWeb3.to_wei(eth, "ether"),
            "nonce": nonce + offset,
            "gas": 21000,
            "gasPrice": gas_price,
            "chainId": CHAIN_ID,
        }
        signed = account.sign_transaction(tx)
        tx_hash = await w3.eth.send_raw_transaction(signed.raw_transaction)
        hashes.append(tx_hash.hex())
    return hashes


async def confirm(w3: AsyncWeb3, hashes: list[str]) -> int:
    if not hashes:
        return 0
    # nonces are consecutive: once the last one is mined, all earlier ones are too
    await w3.eth.wait_for_transaction_receipt(hashes[-1], timeout=900)
    ok = 0
    for start in range(0, len(hashes), 20):
        chunk = hashes[start:start + 20]
        receipts = await asyncio.gather(*(w3.eth.get_transaction_receipt(h) for h in chunk))
        ok += sum(1 for r in receipts if r["status"] == 1)
    return ok


async def main(path: str, key: str, payouts: list[tuple[str, Decimal]]) -> None:
    w3 = AsyncWeb3(AsyncHTTPProvider(RPC))
    account = Account.from_key(key)
    balance = await w3.eth.get_balance(account.address)
    total = sum(eth for _, eth in payouts)
    if AsyncWeb3.from_wei(balance, "ether") < total:
        raise SystemExit(f"hot wallet holds less than {total} ETH")
    hashes = await send_all(w3, account, payouts)
    ok = await confirm(w3, hashes)
    log.info("%s: %d of %d payouts confirmed", path, ok, len(hashes))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    csv_path = sys.argv[1]
    asyncio.run(main(csv_path, sys.argv[2], load_payouts(csv_path)))
