"""Field extraction from claim photos and scanned forms (AWS Textract)."""
from __future__ import annotations

import logging
import os

import boto3
from botocore.config import Config

log = logging.getLogger("claims.ocr")

QUERIES = [
    {"Text": "What is the vehicle registration?", "Alias": "REGISTRATION"},
    {"Text": "What is the date of the accident?", "Alias": "ACCIDENT_DATE"},
    {"Text": "What is the other driver's policy number?", "Alias": "THIRD_PARTY_POLICY"},
]


def make_client():
    return boto3.client(
        "textract",
        region_name=os.environ.get("AWS_REGION", "eu-west-1"),
        config=Config(retries={"max_attempts": 4, "mode": "adaptive"}),
    )


def extract_fields(client, blob: bytes) -> dict[str, str]:
    """Run a synchronous Textract query analysis over one image."""
    result = client.analyze_document(
        Document={"Bytes": blob},
        FeatureTypes=["QUERIES"],
        QueriesConfig={"Queries": QUERIES},
    )
    answers: dict[str, str] = {}
    by_id = {b["Id"]: b for b in result["Blocks"]}
    for block in result["Blocks"]:
        if block["BlockType"] != "QUERY":
            continue
        alias = block["Query"]["Alias"]
        for rel in block.get("Relationships", []):
            for ref in rel["Ids"]:
                answers[alias] = by_id[ref].get("Text", "")
    log.debug("textract answered %d of %d queries", len(answers), len(QUERIES))
    return answers
