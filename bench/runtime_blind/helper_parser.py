"""CSV-ish record parsing for the import worker (u02)."""
from dataclasses import dataclass


@dataclass
class Row:
    sku: str
    name: str
    qty: int


def parse_line(line: str) -> Row:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) != 3:
        raise ValueError(f"expected 3 fields, got {len(fields)}")
    return Row(fields[0], fields[1], int(fields[2]))  # EXPECT: unretrieved-exception


def parse_batch(lines: list[str]) -> list[Row]:
    return [parse_line(line) for line in lines if line and not line.startswith("#")]
