"""Object storage for renditions (S3-compatible, via aioboto3)."""
import aioboto3

BUCKET = "vod-renditions"
ENDPOINT = "https://s3.eu-central.example.net"
_session = aioboto3.Session()


def client():
    """One client per job: `async with storage.client() as s3: ...`."""
    return _session.client("s3", endpoint_url=ENDPOINT)


async def upload(s3, path: str, key: str, content_type: str = "video/mp2t") -> str:
    await s3.upload_file(path, BUCKET, key, ExtraArgs={"ContentType": content_type})
    return f"s3://{BUCKET}/{key}"


async def put_text(s3, key: str, body: str, content_type: str) -> None:
    await s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode(), ContentType=content_type)
