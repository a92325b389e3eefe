"""Consumes raw click events from Kafka, adds user plan and country, re-publishes."""
