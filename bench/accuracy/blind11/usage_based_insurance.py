"""Pay-how-you-drive quotes: telematics score from the risk model, price from the rating engine."""
import asyncio
import json
import os
from contextlib import asynccontextmanager

import boto3
import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

RATING_ENGINE = "https://rating.internal.example/api/v4"
DVLA = "https://driver-vehicle-licensing.api.gov.uk/vehicle-enquiry/v1"


class TripSummary(BaseModel):
    policy_ref: str | None = None
    registration: str
    postcode: str
    miles_30d: float
    night_share: float = Field(ge=0, le=1)
    harsh_brakes_per_100mi: float
    speeding_share: float = Field(ge=0, le=1)


class RiskModel:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.runtime = boto3.client("sagemaker-runtime", region_name="eu-west-2")

    def _invoke(self, features: list[float], variant: str | None = None) -> dict:
        kwargs = {"TargetVariant": variant} if variant else {}
        resp = self.runtime.invoke_endpoint(
            EndpointName=self.endpoint, ContentType="application/json",
            Body=json.dumps({"instances": [features]}), **kwargs,
        )
        return json.loads(resp["Body"].read())

    async def score(self, trips: TripSummary) -> float:
        features = [trips.miles_30d, trips.night_share, trips.harsh_brakes_per_100mi, trips.speeding_share]
        out = self._invoke(features)  # bug: ADC101
        return out["predictions"][0]["score"]

    async def explain(self, trips: TripSummary) -> dict:
        features = [trips.miles_30d, trips.night_share, trips.harsh_brakes_per_100mi, trips.speeding_share]
        out = await asyncio.to_thread(self._invoke, features, "shap")
        return dict(zip(("miles", "night", "braking", "speeding"), out["predictions"][0]["shap"]))


risk_model = RiskModel("ubi-risk-v7")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.dvla = httpx.AsyncClient(
        base_url=DVLA, headers={"x-api-key": os.environ["DVLA_KEY"]}, timeout=8
    )
    yield
    await app.state.dvla.aclose()


app = FastAPI(lifespan=lifespan)


def _rating_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=RATING_ENGINE, timeout=10)  # bug: ADC402


def dvla(request: Request) -> httpx.AsyncClient:
    return request.app.state.dvla


async def vehicle(client: httpx.AsyncClient, registration: str) -> dict:
    resp = await client.post("/vehicles", json={"registrationNumber": registration})
    if resp.status_code == 404:
        raise HTTPException(422, "unknown registration")
    resp.raise_for_status()
    return resp.json()


@app.post("/quotes")
async def quote(trips: TripSummary, dvla_client: httpx.AsyncClient = Depends(dvla)):
    car, score = await asyncio.gather(vehicle(dvla_client, trips.registration), risk_model.score(trips))
    async with _rating_client() as rating:
        resp = await rating.post("/price", json={
            "postcode": trips.postcode, "make": car["make"], "year": car["yearOfManufacture"],
            "fuel": car["fuelType"], "telematics_score": score, "policy_ref": trips.policy_ref,
        })
    resp.raise_for_status()
    price = resp.json()
    return {"annual_premium": price["annual"], "monthly": price["monthly"], "score": round(score, 3)}


@app.post("/quotes/explain")
async def explain(trips: TripSummary):
    return {"contributions": await risk_model.explain(trips)}
