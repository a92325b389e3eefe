"""Serves predictions; the model is loaded in the background at start-up."""

import asyncio
import logging

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from ml.loader import load_model

log = logging.getLogger(__name__)
app = FastAPI()


class Features(BaseModel):
    values: list[float]


class ModelHolder:
    def __init__(self) -> None:
        self.model = None
        self.ready = False
        self._loader: asyncio.Task | None = None

    async def _load(self) -> None:
        self.model = await asyncio.to_thread(load_model, "models/current.pkl")
        self.ready = True
        log.info("model loaded")

    def start(self) -> None:
        self._loader = asyncio.create_task(self._load())

    async def wait_ready(self, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.ready:  # bug: ADC503
            if loop.time() > deadline:
                raise HTTPException(status_code=503, detail="model still loading")
            await asyncio.sleep(0.1)


holder = ModelHolder()


@app.on_event("startup")
async def startup() -> None:
    holder.start()


@app.post("/predict")
async def predict(features: Features):
    await holder.wait_ready()
    score = await asyncio.create_task(  # bug: ADC302
        asyncio.to_thread(holder.model.predict_proba, [features.values])
    )
    return {"score": float(score[0][1])}
