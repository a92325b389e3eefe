"""Keep Shopify inventory levels in line with the warehouse stock database."""
from .sync import InventorySync

__all__ = ["InventorySync"]
