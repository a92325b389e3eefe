"""Kafka -> ClickHouse ingestion service."""
__version__ = "2.4.1"
