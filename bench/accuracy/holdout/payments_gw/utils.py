import base64
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

KEY_PATH = os.environ.get("PSP_SIGNING_KEY", "/etc/psp/signing.pem")


def _read_key(path):
    with open(path, "rb") as fh:
        return fh.read()


def load_signing_key(path=None):
    return serialization.load_pem_private_key(_read_key(path or KEY_PATH), password=None)


def sign(body: bytes, path=None) -> str:
    key = load_signing_key(path)
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def amount_to_minor(amount: str) -> int:
    units, _, cents = amount.partition(".")
    return int(units) * 100 + int((cents + "00")[:2])
