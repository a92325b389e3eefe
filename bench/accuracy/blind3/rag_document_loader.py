"""Document loaders for the RAG ingestion worker."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import zipfile
from pathlib import Path

import aiofiles
from pypdf import PdfReader

log = logging.getLogger("rag.loaders")

_TAG = re.compile(r"<[^>]+>")


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx_xml_to_text(xml: str) -> str:
    xml = xml.replace("</w:p>", "\n")
    return _TAG.sub("", xml)


class Loader:
    def __init__(self, root: Path, manifest: Path) -> None:
        self.root = root
        self.manifest = manifest

    async def load_pdf(self, path: Path) -> str:
        async with aiofiles.open(path, "rb") as fh:
            data = await fh.read()
        return await asyncio.to_thread(_pdf_text, data)

    async def load_docx(self, path: Path) -> str:
        with zipfile.ZipFile(path) as archive:  # bug: ADC101 @docx
            xml = archive.read("word/document.xml").decode("utf-8")  # bug: ADC101 @docx
        return _docx_xml_to_text(xml)

    async def load_markdown(self, path: Path) -> str:
        async with aiofiles.open(path, encoding="utf-8") as fh:
            return await fh.read()

    async def load(self, path: Path) -> str:
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            return await self.load_pdf(path)
        if suffix == ".docx":
            return await self.load_docx(path)
        return await self.load_markdown(path)

    async def append_manifest(self, doc_id: str, path: Path, chars: int) -> None:
        fh = await aiofiles.open(self.manifest, "a", encoding="utf-8")  # bug: ADC401
        await fh.write(json.dumps({"id": doc_id, "path": str(path), "chars": chars}) + "\n")
        await fh.flush()
        log.debug("manifest: %s (%d chars)", doc_id, chars)
