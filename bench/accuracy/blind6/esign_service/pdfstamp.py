"""PDF helpers on pypdf and reportlab (CPU bound, synchronous)."""
import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas


def _overlay(png: bytes, width: float, height: float, x_mm: float, y_mm: float) -> PdfReader:
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.drawImage(ImageReader(io.BytesIO(png)), x_mm * mm, y_mm * mm, width=50 * mm, height=20 * mm, mask="auto")
    c.save()
    buf.seek(0)
    return PdfReader(buf)


def stamp(pdf: bytes, signature_png: bytes, page: int, x_mm: float, y_mm: float) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for i, p in enumerate(reader.pages):
        if i == page:
            box = p.mediabox
            p.merge_page(_overlay(signature_png, float(box.width), float(box.height), x_mm, y_mm).pages[0])
        writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
