"""HTTP handlers."""
from aiohttp import web

from . import slicer


async def submit(request: web.Request) -> web.Response:
    reader = await request.multipart()
    part = await reader.next()
    stl = await part.read()
    gcode = slicer.slice_sync(stl)  # bug: ADC103
    fleet = request.app["fleet"]
    printer = await fleet.claim_idle()
    if printer is None:
        raise web.HTTPServiceUnavailable(text="no idle printer")
    try:
        await printer.upload_and_print(part.filename.replace(".stl", ".gcode"), gcode)
    except Exception:
        fleet.release(printer.name)
        raise
    return web.json_response({"printer": printer.name}, status=202)


async def cancel(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    fleet = request.app["fleet"]
    printer = fleet.printers.get(name)
    if printer is None:
        raise web.HTTPNotFound()
    printer.cancel_job()  # bug: ADC201
    fleet.release(name)
    return web.json_response({"cancelled": name})
