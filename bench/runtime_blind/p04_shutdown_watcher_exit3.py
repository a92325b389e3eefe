"""Migration runner: applies migrations, watches for a shutdown request, exits 3 on partial success."""
import asyncio
import sys


class Migrator:
    def __init__(self, migrations: list[str]):
        self.migrations = migrations
        self.applied: list[str] = []
        self.shutdown = asyncio.Event()

    async def watch_shutdown(self):
        await self.shutdown.wait()
        print("shutdown requested")

    async def apply(self, name: str) -> bool:
        await asyncio.sleep(0.01)
        if "drop" in name:
            return False
        self.applied.append(name)
        return True

    async def run(self) -> int:
        watcher = asyncio.create_task(self.watch_shutdown(), name="shutdown-watcher")  # EXPECT: pending-task
        for name in self.migrations:
            if not await self.apply(name):
                print("stopping at", name)
                break
        if watcher.done():
            return 1
        return 0 if len(self.applied) == len(self.migrations) else 3


async def main() -> int:
    migrator = Migrator(["001_users", "002_orders", "003_drop_legacy", "004_indexes"])
    code = await migrator.run()
    print("applied:", migrator.applied)
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
