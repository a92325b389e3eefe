"""Jinja2 templates, CSS inlined with premailer (sync; run from the CLI before sending)."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from premailer import transform

env = Environment(loader=PackageLoader("newsletter"), autoescape=select_autoescape())


def render_campaign(template: str, context: dict) -> str:
    html = env.get_template(template).render(**context)
    return transform(html, keep_style_tags=True, cssutils_logging_level="CRITICAL")
