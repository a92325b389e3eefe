import asyncio
import os
import tempfile


class AuditLog:
    def __init__(self, path):
        self.fh = open(path, "a")  # EXPECT: unclosed-resource

    def write(self, line):
        self.fh.write(line + "\n")
        self.fh.flush()


async def handle(log, n):
    await asyncio.sleep(0)
    log.write(f"handled {n}")


async def main():
    path = os.path.join(tempfile.gettempdir(), "heldout_audit.log")
    log = AuditLog(path)
    await asyncio.gather(*(handle(log, i) for i in range(3)))
    print("logged")


asyncio.run(main())
