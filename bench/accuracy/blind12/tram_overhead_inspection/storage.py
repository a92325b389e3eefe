"""Archive of inspection runs in S3 (boto3)."""
import json
from pathlib import Path

import boto3

BUCKET = "tram-ocl-inspections"
s3 = boto3.client("s3")


def archive_frames(run_id: str, folder: Path) -> int:
    count = 0
    for frame in sorted(folder.glob("*.jpg")):
        s3.upload_file(str(frame), BUCKET, f"runs/{run_id}/frames/{frame.name}")
        count += 1
    return count


def write_report(run_id: str, findings: list[dict]) -> None:
    s3.put_object(
        Bucket=BUCKET,
        Key=f"runs/{run_id}/report.json",
        Body=json.dumps({"run": run_id, "findings": findings}, indent=1).encode(),
        ContentType="application/json",
    )


def list_frames(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jpg"))
