"""Remote patient monitoring: home hubs upload batches of readings (blood
pressure, SpO2, weight). Readings go to MongoDB, then to the hospital EHR as
FHIR Observations; out-of-range values page the virtual ward."""
import asyncio
import os
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from motor.motor_asyncio import AsyncIOMotorClient
from pydantic import BaseModel

MONGO_URL = os.environ.get("MONGO_URL", "mongodb://mongo:27017")
FHIR_BASE = os.environ.get("FHIR_BASE", "https://ehr.trust.example/fhir/R4")
LOINC = {"spo2": ("59408-5", "%"), "systolic": ("8480-6", "mm[Hg]"), "weight": ("29463-7", "kg")}
ESCALATION = ("ward-dashboard", "bleep", "sms-oncall")


class Reading(BaseModel):
    kind: str
    value: float
    taken_at: datetime


class Batch(BaseModel):
    readings: list[Reading]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.fhir = httpx.AsyncClient(base_url=FHIR_BASE, timeout=15, headers={"Authorization": f"Bearer {os.environ['FHIR_TOKEN']}"})
    app.state.pager = httpx.AsyncClient(base_url="https://alerts.trust.internal", timeout=5)
    yield
    await app.state.pager.aclose()
    await app.state.fhir.aclose()


app = FastAPI(lifespan=lifespan)


async def get_db():
    client = AsyncIOMotorClient(MONGO_URL, serverSelectionTimeoutMS=3000)  # bug: ADC402
    try:
        yield client.vitals
    finally:
        client.close()


def out_of_range(r: Reading) -> bool:
    return (r.kind == "spo2" and r.value < 92) or (r.kind == "systolic" and not 90 <= r.value <= 180)


async def post_observation(fhir: httpx.AsyncClient, patient_ref: str, r: Reading) -> str:
    code, unit = LOINC[r.kind]
    obs = {
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": r.taken_at.isoformat(),
        "valueQuantity": {"value": r.value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }
    resp = await fhir.post("/Observation", json=obs)
    resp.raise_for_status()
    return resp.json()["id"]


async def page(pager: httpx.AsyncClient, channel: str, patient: dict, r: Reading) -> None:
    await pager.post(f"/{channel}", json={"patient": patient["name"], "kind": r.kind, "value": r.value})


@app.post("/hubs/{hub_id}/readings", status_code=202)
async def upload(hub_id: str, batch: Batch, request: Request, db=Depends(get_db)):
    patient = await db.hubs.find_one({"_id": hub_id, "active": True})
    if patient is None:
        raise HTTPException(404, "hub not enrolled")
    known = [r for r in batch.readings if r.kind in LOINC]
    if not known:
        return {"stored": 0}
    await db.readings.insert_many([{"hub": hub_id, **r.model_dump()} for r in known], ordered=False)
    ids = await asyncio.gather(  # bug: ADC502
        *(post_observation(request.app.state.fhir, patient["fhir_ref"], r) for r in known)
    )
    worst = [r for r in known if out_of_range(r)]
    if worst:
        await asyncio.gather(*(page(request.app.state.pager, ch, patient, worst[-1]) for ch in ESCALATION))
    return {"stored": len(known), "fhir": len(ids), "alerts": len(worst)}


@app.get("/patients/{hub_id}/latest")
async def latest(hub_id: str, db=Depends(get_db)):
    cursor = db.readings.find({"hub": hub_id}).sort("taken_at", -1).limit(20)
    return [{k: v for k, v in doc.items() if k != "_id"} async for doc in cursor]
