from .service import ReportService

__all__ = ["ReportService"]
