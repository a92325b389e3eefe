from .uow import UnitOfWork
from .services import receive_shipment, stock_report

__all__ = ["UnitOfWork", "receive_shipment", "stock_report"]
