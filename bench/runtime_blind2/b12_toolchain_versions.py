"""Check a build toolchain: ask each tool for its version (in child processes) and compare with the lock file."""
import asyncio
import subprocess
import sys

LOCKED = {"compiler": "4.2.1", "linker": "2.41", "packager": "1.9.0", "signer": "0.7.3"}

# each "tool" is a tiny Python child that prints its version
TOOLS = {
    "compiler": "print('compiler 4.2.1')",
    "linker": "print('linker 2.41')",
    "packager": "import time; time.sleep(0.05); print('packager 1.9.0')",
}
SIGNER = "import time; time.sleep(0.2); print('signer 0.8.0')"


async def tool_version(name, script):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed: {err.decode().strip()}")
    return name, out.decode().split()[-1]


async def signer_version():
    result = subprocess.run([sys.executable, "-c", SIGNER], capture_output=True, text=True, check=True)  # EXPECT: blocking-call
    return "signer", result.stdout.split()[-1]


async def main():
    found = dict(await asyncio.gather(*(tool_version(n, s) for n, s in TOOLS.items())))
    name, version = await signer_version()
    found[name] = version
    mismatches = []
    for tool in sorted(LOCKED):
        status = "ok" if found[tool] == LOCKED[tool] else "MISMATCH"
        print(f"{tool:9} locked {LOCKED[tool]:6} found {found[tool]:6} {status}")
        if status != "ok":
            mismatches.append(tool)
    if mismatches:
        raise RuntimeError(f"toolchain does not match the lock file: {', '.join(mismatches)}")


if __name__ == "__main__":
    asyncio.run(main())
