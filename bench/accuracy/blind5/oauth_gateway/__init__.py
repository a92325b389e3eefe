"""OAuth2/OIDC login gateway in front of internal dashboards (Starlette)."""
from .app import create_app

__all__ = ["create_app"]
