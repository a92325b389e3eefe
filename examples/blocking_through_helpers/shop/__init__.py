"""A small shop client whose async handlers block through sync helpers (ADC101).

Nothing in ``auth.py`` is wrong on its own; the problem is in ``api.py``,
which calls the sync helper, and a sync ``requests.Session``, from
``async def`` handlers.  See ``shop_fixed`` for the same package done right.
"""

from .api import ShopAPI

__all__ = ["ShopAPI"]
