"""Pure query helpers: parsing and building Elasticsearch queries."""

import re

FIELD_RE = re.compile(r"(\w+):(\"[^\"]+\"|\S+)")


def parse(q: str) -> tuple[str, dict[str, str]]:
    filters = {m.group(1): m.group(2).strip('"') for m in FIELD_RE.finditer(q)}
    text = FIELD_RE.sub("", q).strip()
    return text, filters


def build(text: str, filters: dict[str, str], size: int = 20) -> dict:
    must = [{"multi_match": {"query": text, "fields": ["title^3", "body"]}}] if text else []
    must += [{"term": {k: v}} for k, v in filters.items()]
    return {"query": {"bool": {"must": must or [{"match_all": {}}]}}, "size": size}
