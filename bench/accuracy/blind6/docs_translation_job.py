"""Translate changed help-centre articles with the DeepL API (nightly job)."""
import asyncio
import logging
from pathlib import Path

import aiofiles
import httpx
import yaml

log = logging.getLogger("translate")

DEEPL = "https://api.deepl.com/v2"
TARGETS = ("DE", "FR", "ES", "JA")


def write_translations(out_root: Path, name: str, meta: dict, results: dict[str, str]) -> None:
    for lang, text in results.items():
        dest = out_root / lang.lower() / name
        dest.write_text(yaml.safe_dump({**meta, "lang": lang.lower()}) + "\n---\n" + text)


class Translator:
    def __init__(self, client: httpx.AsyncClient, glossary_ids: dict[str, str]) -> None:
        self.client = client
        self.glossary_ids = glossary_ids

    async def translate(self, text: str, target: str) -> str:
        gate = asyncio.Semaphore(4)  # bug: ADC504
        async with gate:
            data = {"text": text, "target_lang": target, "source_lang": "EN", "tag_handling": "html"}
            if target in self.glossary_ids:
                data["glossary_id"] = self.glossary_ids[target]
            resp = await self.client.post(f"{DEEPL}/translate", data=data)
            resp.raise_for_status()
            return resp.json()["translations"][0]["text"]

    async def article(self, src: Path, out_root: Path) -> None:
        async with aiofiles.open(src) as fh:
            raw = await fh.read()
        front, _, body = raw.partition("\n---\n")
        meta = yaml.safe_load(front)
        results = {}
        for lang in TARGETS:
            results[lang] = await self.translate(body, lang)  # bug: ADC501
        await asyncio.to_thread(write_translations, out_root, src.name, meta, results)

    async def usage(self) -> tuple[int, int]:
        data = (await self.client.get(f"{DEEPL}/usage")).json()
        return data["character_count"], data["character_limit"]


async def main(changed: list[Path], out_root: Path, key: str) -> None:
    headers = {"Authorization": f"DeepL-Auth-Key {key}"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        glossaries = (await client.get(f"{DEEPL}/glossaries")).json()["glossaries"]
        ids = {g["target_lang"].upper(): g["glossary_id"] for g in glossaries}
        tr = Translator(client, ids)
        used, limit = await tr.usage()
        log.info("DeepL usage %d/%d characters", used, limit)
        for start in range(0, len(changed), 8):
            batch = changed[start:start + 8]
            await asyncio.gather(*(tr.article(p, out_root) for p in batch))


if __name__ == "__main__":
    import subprocess
    import sys

    diff = subprocess.run(["git", "diff", "--name-only", "HEAD~1", "--", "articles/en"],
                          capture_output=True, text=True, check=True).stdout.split()
    for lang in TARGETS:
        Path("articles", lang.lower()).mkdir(parents=True, exist_ok=True)
    asyncio.run(main([Path(p) for p in diff if p.endswith(".md")], Path("articles"), sys.argv[1]))
