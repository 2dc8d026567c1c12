"""The OpenAPI document kept in docs/ is the one the server serves."""

from __future__ import annotations

import json
from pathlib import Path

from server.cli import openapi_document
from tests.server.live import Server

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_is_current() -> None:
    """docs/openapi.json matches the app; regenerate with `canteen-server openapi`."""
    assert DOC.read_text(encoding="utf-8") == openapi_document()


def test_served_at_openapi_json(server: Server) -> None:
    """The running server publishes the same document at /openapi.json."""
    import requests

    served = requests.get(server.url + "/openapi.json", timeout=10).json()
    assert served == json.loads(DOC.read_text(encoding="utf-8"))
