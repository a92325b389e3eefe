from .host import PluginHost

__all__ = ["PluginHost"]
