"""The shop client done right: every network call is awaited (clean).

``auth.get_token`` became a coroutine using the shared ``httpx.AsyncClient``,
and ``api.ShopAPI`` awaits it and its own requests on that same client.
"""

from .api import ShopAPI

__all__ = ["ShopAPI"]
