"""Billing integration: payment gateway client and HTTP handlers."""
