"""Nightly reconciliation between Stripe, the ledger service and our DB."""
