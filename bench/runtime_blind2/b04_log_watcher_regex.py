"""Poll a drop directory; redact e-mail addresses from .log files, count rows of everything else."""
import asyncio
import os
import re
import tempfile

EMAIL_PATTERN = r"[\w.+-]+@[\w-]+\.[\w.]+"
POLL_INTERVAL = 0.02


def read_text(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


async def drop_files(dropdir):
    """Another process dropping files into the directory (writes to .part, then renames)."""
    await asyncio.sleep(0.03)
    await asyncio.to_thread(write_text, os.path.join(dropdir, "metrics.csv"), "day,hits\nmon,10\ntue,12\nwed,9\n")
    await asyncio.sleep(0.03)
    part = os.path.join(dropdir, "app.log.part")
    fh = await asyncio.to_thread(open, part, "w", encoding="utf-8")
    try:
        for block in range(20):
            lines = [
                f"2026-12-06T10:{i % 60:02d}:{i % 59:02d} user{i}@example.com GET /api/items/{i} 200\n"
                for i in range(block * 10_000, (block + 1) * 10_000)
            ]
            await asyncio.to_thread(fh.write, "".join(lines))
    finally:
        await asyncio.to_thread(fh.close)
    os.rename(part, os.path.join(dropdir, "app.log"))
    await asyncio.sleep(0.03)
    await asyncio.to_thread(write_text, os.path.join(dropdir, "notes.txt"), "rotate keys\ncheck disk\n")
    await asyncio.to_thread(write_text, os.path.join(dropdir, "DONE"), "")


async def process(path, outdir):
    name = os.path.basename(path)
    text = await asyncio.to_thread(read_text, path)
    if name.endswith(".log"):
        redacted = re.sub(EMAIL_PATTERN, "<email>", text, flags=re.IGNORECASE)  # EXPECT: blocking-call
        await asyncio.to_thread(write_text, os.path.join(outdir, name), redacted)
        return f"{name}: {text.count(chr(10))} lines, {redacted.count('<email>')} addresses redacted"
    return f"{name}: {len(text.splitlines())} rows indexed"


async def watch(dropdir, outdir):
    seen = set()
    results = []
    while True:
        names = sorted(n for n in os.listdir(dropdir) if not n.endswith(".part"))
        for name in names:
            if name in seen or name == "DONE":
                continue
            seen.add(name)
            results.append(await process(os.path.join(dropdir, name), outdir))
        if "DONE" in names:
            return results
        await asyncio.sleep(POLL_INTERVAL)


async def main():
    with tempfile.TemporaryDirectory(prefix="blind2-drop-") as dropdir, \
            tempfile.TemporaryDirectory(prefix="blind2-clean-") as outdir:
        producer = asyncio.create_task(drop_files(dropdir))
        results = await watch(dropdir, outdir)
        await producer
        for line in sorted(results):
            print(line)
        print("clean copies:", ", ".join(sorted(os.listdir(outdir))))


if __name__ == "__main__":
    asyncio.run(main())
