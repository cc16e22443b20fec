"""Every endpoint the simulator serves is one a known client uses, and docs/protocol.md lists it
with its users."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.cloud import Cloud
from simulator.server import build_app
from simulator.spec import SpecStore

DOCS = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"

# Users as docs/protocol.md names them.
CONNECTOR = "MIoT Connect"
OFFICIAL = "ha_xiaomi_home"
PYTHON_MIIO = "python-miio"
MIOT_AUTO = "hass-xiaomi-miot"


@dataclass(frozen=True)
class Endpoint:
    """An HTTP endpoint of the real service and the public clients known to call it."""

    method: str
    path: str
    users: tuple[str, ...]


ENDPOINTS = (
    Endpoint("GET", "/oauth2/authorize", (CONNECTOR, OFFICIAL)),
    Endpoint("GET", "/app/v2/ha/oauth/get_token", (CONNECTOR, OFFICIAL)),
    Endpoint("GET", "/user/profile", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/ha/oauth/get_central_crt", (OFFICIAL,)),
    Endpoint("POST", "/app/v2/homeroom/gethome", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/homeroom/get_dev_room_page", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/home/device_list_page", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/miotspec/prop/get", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/miotspec/prop/set", (CONNECTOR, OFFICIAL)),
    Endpoint("POST", "/app/v2/miotspec/action", (CONNECTOR, OFFICIAL)),
    Endpoint("GET", "/miot-spec-v2/instance", (CONNECTOR, OFFICIAL, PYTHON_MIIO, MIOT_AUTO)),
    Endpoint("GET", "/miot-spec-v2/instances", (PYTHON_MIIO, MIOT_AUTO)),
    Endpoint("GET", "/instance/v2/multiLanguage", (CONNECTOR, OFFICIAL)),
    Endpoint("GET", "/miot-spec-v2/template/list/{kind}", (OFFICIAL,)),
    Endpoint("GET", "/miot-spec-v2/normalization/list/property_value", (OFFICIAL,)),
)

# Served for the simulator's own sake: its authorize page's link, and the control API.
OWN_PATHS = ("/oauth2/authorize/confirm", "/_sim/")


def _served_routes() -> set[tuple[str, str]]:
    async def nothing() -> None:
        return None

    def no_signer(pem: bytes) -> str:
        raise ValueError("unused")

    app = build_app(Cloud(SpecStore()), asyncio.Event(), nothing, nothing, no_signer)
    served: set[tuple[str, str]] = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if route.method != "HEAD" and not path.startswith(OWN_PATHS):
            served.add((route.method, path))
    return served


def test_every_served_endpoint_is_a_known_one() -> None:
    """The simulator serves exactly the endpoints of the table (besides its own)."""
    assert _served_routes() == {(e.method, e.path) for e in ENDPOINTS}


def _docs_text() -> str:
    return DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_protocol_doc_lists_endpoint_and_users(endpoint: Endpoint) -> None:
    """docs/protocol.md has a table row for the endpoint naming each of its users."""
    rows = [
        line
        for line in _docs_text().splitlines()
        if line.startswith("|") and f"`{endpoint.method} {endpoint.path}`" in line
    ]
    assert rows, f"no row for {endpoint.method} {endpoint.path} in docs/protocol.md"
    for user in endpoint.users:
        assert user in rows[0], (user, rows[0])


def test_protocol_doc_lists_mqtt_topics() -> None:
    """The push topics are in the same table."""
    text = _docs_text()
    for topic in (
        "device/<did>/up/properties_changed/<siid>/<piid>",
        "device/<did>/up/event_occured/<siid>/<eiid>",
        "device/<did>/state/<anything>",
    ):
        assert any(line.startswith("|") and topic in line for line in text.splitlines()), topic
