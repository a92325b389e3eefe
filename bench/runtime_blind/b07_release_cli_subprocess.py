"""Release CLI: collects build info and checks that the toolchain is recent enough."""
import asyncio
import subprocess
import sys

MIN_TOOL_VERSION = (2, 0)
TOOL = "import time; time.sleep(0.25); print('buildtool 1.9.4')"


class Toolchain:
    def version(self) -> tuple[int, ...]:
        out = subprocess.run([sys.executable, "-c", TOOL], capture_output=True, text=True, check=True)  # EXPECT: blocking-call
        return tuple(int(part) for part in out.stdout.split()[1].split("."))


async def gather_changes() -> list[str]:
    await asyncio.sleep(0.02)
    return ["fix: retry on 503", "feat: export as CSV", "chore: bump deps"]


async def main() -> int:
    changes = await gather_changes()
    print(f"{len(changes)} changes since last release")
    for line in changes:
        print(" -", line)
    version = Toolchain().version()
    print("toolchain", ".".join(map(str, version)))
    if version < MIN_TOOL_VERSION:
        raise RuntimeError(f"toolchain {version} is older than {MIN_TOOL_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
