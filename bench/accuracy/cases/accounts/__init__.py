"""User accounts: HTTP API (async) and management commands (sync)."""
