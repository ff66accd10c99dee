"""HTTP API and web page: ``make_app(...)`` returns the ASGI app that ``unspin serve`` runs."""

from .app import ServiceError, make_app

__all__ = ["ServiceError", "make_app"]
