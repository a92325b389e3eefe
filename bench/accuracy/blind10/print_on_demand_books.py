"""Print-on-demand publishing (Quart): authors upload a title bundle (interior
PDF, cover PDF, EPUB; 200-800 MB zipped), which is unpacked and sent through
the printer's preflight service before the title can go on sale."""
import asyncio
import io
import shutil
import uuid
from pathlib import Path

import httpx
from pdf2image import convert_from_path
from quart import Quart, abort, jsonify, request

WORK_ROOT = Path("/srv/pod/jobs")  # NFS share, also mounted by the preflight service
PREFLIGHT_URL = "https://preflight.printer.example/api/v2/jobs"
REQUIRED = ("interior.pdf", "cover.pdf")

app = Quart(__name__)


@app.before_serving
async def startup() -> None:
    app.http = httpx.AsyncClient(timeout=30, headers={"X-Account": "pod-press"})
    app.render_slots = asyncio.Semaphore(3)


@app.after_serving
async def shutdown() -> None:
    await app.http.aclose()


async def preflight(http: httpx.AsyncClient, parts: list[Path]) -> dict[str, dict]:
    # our preflight licence allows two jobs at a time
    sem = asyncio.Semaphore(2)  # bug: ADC504

    async def one(path: Path) -> dict:
        async with sem:
            resp = await http.post(PREFLIGHT_URL, json={"path": str(path), "profile": "pod-b5-cream"})
            resp.raise_for_status()
            job_url = resp.json()["href"]
            # the printer's service works on its own; poll it, bounded
            async with asyncio.timeout(600):
                while True:
                    status = (await http.get(job_url)).json()
                    if status["state"] in ("passed", "failed"):
                        return status
                    await asyncio.sleep(5)

    results = await asyncio.gather(*(one(p) for p in parts))
    return {p.name: r for p, r in zip(parts, results)}


@app.post("/titles/<int:title_id>/bundle")
async def upload_bundle(title_id: int):
    files = await request.files
    if "bundle" not in files:
        abort(400)
    workdir = WORK_ROOT / f"{title_id}-{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(workdir.mkdir, parents=True)
    archive = workdir / "bundle.zip"
    await files["bundle"].save(archive)
    shutil.unpack_archive(archive, workdir / "src")  # bug: ADC101
    report = await preflight(app.http, [workdir / "src" / name for name in REQUIRED])
    ok = all(r["state"] == "passed" for r in report.values())
    return jsonify(title=title_id, workdir=workdir.name, ready=ok, preflight=report), (200 if ok else 422)


def render_cover_proof(pdf: Path) -> bytes:
    page = convert_from_path(str(pdf), dpi=72, first_page=1, last_page=1)[0]
    buf = io.BytesIO()
    page.save(buf, "PNG")
    return buf.getvalue()


@app.get("/jobs/<job>/cover-proof.png")
async def cover_proof(job: str):
    if "/" in job or job.startswith("."):
        abort(404)
    async with app.render_slots:
        png = await asyncio.to_thread(render_cover_proof, WORK_ROOT / job / "src" / "cover.pdf")
    return png, 200, {"Content-Type": "image/png"}


@app.delete("/jobs/<job>")
async def discard_job(job: str):
    if "/" in job or job.startswith("."):
        abort(404)
    await asyncio.to_thread(shutil.rmtree, WORK_ROOT / job, True)
    return jsonify(deleted=job)
