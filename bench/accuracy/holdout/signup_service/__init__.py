from .service import router

__all__ = ["router"]
