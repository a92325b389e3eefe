"""Tesseract OCR of receipt photos and a small total/line-item parser."""
import io
import re

import pytesseract
from PIL import Image, ImageOps

TOTAL_RE = re.compile(r"(?:TOTAL|TOTAAL|SUMME|GESAMT)\s*[:€$£]?\s*(\d+[.,]\d{2})", re.I)
LINE_RE = re.compile(r"^(?P<desc>.+?)\s+(?P<amount>\d+[.,]\d{2})\s*(?P<cur>[A-Z]{3})?$")


def extract_text(image_bytes: bytes) -> str:
    img = Image.open(io.BytesIO(image_bytes))
    img = ImageOps.exif_transpose(img).convert("L")
    img = img.resize((img.width * 2, img.height * 2), Image.LANCZOS)
    return pytesseract.image_to_string(img, lang="eng+deu+nld", config="--psm 4")


def parse_total(text: str) -> float | None:
    match = TOTAL_RE.search(text)
    return float(match.group(1).replace(",", ".")) if match else None


def parse_lines(text: str, default_currency: str) -> list[dict]:
    items = []
    for line in text.splitlines():
        m = LINE_RE.match(line.strip())
        if m:
            items.append({
                "desc": m["desc"],
                "amount": float(m["amount"].replace(",", ".")),
                "currency": m["cur"] or default_currency,
            })
    return items
