"""Masters and IIIF derivatives on Cloud Storage (sync client)."""
from pathlib import Path

from google.cloud import storage

_client = storage.Client(project="herbarium-digitisation")
MASTERS = _client.bucket("herb-masters")
DERIVATIVES = _client.bucket("herb-iiif")


def _master_name(barcode: str) -> str:
    return f"masters/{barcode[:5]}/{barcode}.tif"


def master_exists(barcode: str) -> bool:
    return MASTERS.blob(_master_name(barcode)).exists()


def put_master(local_path: Path, barcode: str) -> str:
    blob = MASTERS.blob(_master_name(barcode))
    blob.upload_from_filename(str(local_path), content_type="image/tiff", checksum="crc32c")
    return blob.name


def put_derivatives(barcode: str, derivatives: dict[str, bytes]) -> list[str]:
    names = []
    for kind, data in derivatives.items():
        blob = DERIVATIVES.blob(f"{barcode}/{kind}.jpg")
        blob.cache_control = "public, max-age=31536000"
        blob.upload_from_string(data, content_type="image/jpeg")
        names.append(blob.name)
    return names
