"""Push people and groups from the corporate LDAP into a SCIM 2.0 service."""
from .sync import run

__all__ = ["run"]
