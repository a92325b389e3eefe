"""Lint runner CLI: runs a checker subprocess per file and exits 3 when problems are found."""
import asyncio
import os
import sys
import tempfile

CHECKER = "import sys; text = open(sys.argv[1]).read(); print(sum('\\t' in line for line in text.splitlines()))"


async def check_file(path: str) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHECKER, path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return int(out.decode().strip())


async def iter_sources(directory: str):
    for name in sorted(os.listdir(directory)):
        if name.endswith(".py"):
            await asyncio.sleep(0)
            yield os.path.join(directory, name)


async def main(directory: str) -> int:
    sources = iter_sources(directory)
    problems = 0
    try:
        async for path in sources:
            found = await check_file(path)
            print(f"{os.path.basename(path)}: {found} tab-indented line(s)")
            problems += found
    finally:
        await sources.aclose()
    print("problems:", problems)
    return 3 if problems else 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in {"a.py": "x = 1\n", "b.py": "if x:\n\ty = 2\n\tz = 3\n", "notes.txt": "\t\n"}.items():
            with open(os.path.join(tmp, name), "w") as fh:
                fh.write(body)
        code = asyncio.run(main(tmp))
    sys.exit(code)
