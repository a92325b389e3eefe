"""Chat-ops: a Slack bot and a CLI sharing one SSH runner."""
