"""Client of the defect detection model (contact wire wear, dropper damage,
insulator flashover marks)."""
import aiofiles
import aiohttp

MODEL_URL = "http://ocl-model.depot.internal:8500/v1/detect"
MIN_SCORE = 0.6


async def detect(session: aiohttp.ClientSession, frame_path) -> list[dict]:
    async with aiofiles.open(frame_path, "rb") as fh:
        image = await fh.read()
    form = aiohttp.FormData()
    form.add_field("image", image, filename=frame_path.name, content_type="image/jpeg")
    async with session.post(MODEL_URL, data=form) as resp:
        resp.raise_for_status()
        boxes = (await resp.json())["detections"]
    return [
        {"frame": frame_path.name, "kind": b["label"], "score": b["score"], "box": b["box"]}
        for b in boxes
        if b["score"] >= MIN_SCORE
    ]
