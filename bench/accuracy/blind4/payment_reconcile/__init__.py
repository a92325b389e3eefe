"""Match bank statement lines against Stripe payouts and the internal ledger."""
