"""Result upload to the lab's S3 bucket (aioboto3)."""
from pathlib import Path

BUCKET = "seqcore-results"


def result_key(run_id: str, sample_id: str, path: Path) -> str:
    return f"{run_id}/{sample_id}/{path.name}"


async def upload_result(s3, run_id: str, sample_id: str, path: Path) -> str:
    key = result_key(run_id, sample_id, path)
    await s3.upload_file(str(path), BUCKET, key)
    return key


async def write_report(s3, run_id: str, sample_id: str, text: str) -> None:
    await s3.put_object(
        Bucket=BUCKET, Key=f"{run_id}/{sample_id}/flagstat.txt", Body=text.encode()
    )
