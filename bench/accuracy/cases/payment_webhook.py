import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.payments import apply_payment_event, verify_signature

log = logging.getLogger(__name__)


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    if not verify_signature(payload, request.headers.get("stripe-signature", "")):
        return JSONResponse({"error": "bad signature"}, status_code=400)
    try:
        await asyncio.wait_for(apply_payment_event(payload), timeout=20)
    except (asyncio.CancelledError, asyncio.TimeoutError):  # bug: ADC601
        log.error("payment event processing interrupted")
        return JSONResponse({"status": "retry"}, status_code=503)
    except ValueError as exc:
        log.warning("bad payment event: %s", exc)
        return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse({"status": "ok"})
