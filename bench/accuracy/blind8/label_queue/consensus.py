"""Majority label and agreement for one task (a handful of annotators, pure Python)."""
from __future__ import annotations

from collections import Counter


def majority(labels: list[str]) -> tuple[str, float]:
    counts = Counter(labels)
    label, votes = counts.most_common(1)[0]
    return label, votes / len(labels)
