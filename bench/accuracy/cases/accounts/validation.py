import re
import unicodedata

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


def normalize_username(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw).strip().lower()
    if not USERNAME_RE.match(value):
        raise ValueError(f"invalid username: {raw!r}")
    return value


def display_name(first: str, last: str) -> str:
    return " ".join(part for part in (first.strip(), last.strip()) if part)
