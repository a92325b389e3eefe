"""Ingest photos uploaded by the mobile app: probe, store the original, keep an audit line."""
