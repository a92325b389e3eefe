"""Decoders are plugins: one module per schema under ingest_pipeline.decoders."""
from __future__ import annotations

import importlib
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Decoder(Protocol):
    def decode(self, raw: bytes) -> dict[str, Any]: ...


_decoders: dict[str, Decoder] = {}


def load_decoder(schema: str) -> Decoder:
    decoder = _decoders.get(schema)
    if decoder is None:
        module = importlib.import_module(f"ingest_pipeline.decoders.{schema.replace('.', '_')}")
        decoder = module.Decoder()
        _decoders[schema] = decoder
        log.info("loaded decoder for %s", schema)
    return decoder
