"""``slotcalc serve``: the JSON format of SPEC v2 over HTTP, for services in any language.

Install it with the optional extra ``pip install 'slotcalc[server]'`` (Starlette under
uvicorn). :func:`create_app` builds the ASGI application from a :class:`ServerConfig`;
:func:`main` is the ``slotcalc serve`` command. Endpoints, limits and caching:
``docs/server.md``.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "slotcalc serve needs the server extra (Starlette and uvicorn): "
        f"pip install 'slotcalc[server]' ({_missing})") from _missing

from .app import ServerConfig, create_app
from .main import main

__all__ = ["ServerConfig", "create_app", "main"]
