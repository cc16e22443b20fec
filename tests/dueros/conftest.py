"""Fixtures for the DuerOS bridge: Home Assistant's demo entities, the bridge entry, a client."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any
from unittest.mock import patch
import uuid

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect.const import DOMAIN
from custom_components.miot_connect.dueros.const import (
    CONF_BOT_ID,
    CONF_CLIENT_ID,
    CONF_ENTRY_TYPE,
    CONF_REPORT_URL,
    ENTRY_TYPE_DUEROS,
    SERVICE_PATH,
)

DEMO_PLATFORMS = [
    Platform.CLIMATE,
    Platform.COVER,
    Platform.FAN,
    Platform.HUMIDIFIER,
    Platform.LIGHT,
    Platform.LOCK,
    Platform.MEDIA_PLAYER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VACUUM,
    Platform.WATER_HEATER,
]

type Send = Callable[..., Awaitable[dict[str, Any]]]


def directive(
    name: str, token: str | None, appliance_id: str | None = None, **payload: Any
) -> dict[str, Any]:
    """A request body as DuerOS sends it."""
    if name == "DiscoverAppliancesRequest":
        namespace = "DuerOS.ConnectedHome.Discovery"
    elif name.startswith("Get") or name == "ReportStateRequest":
        namespace = "DuerOS.ConnectedHome.Query"
    else:
        namespace = "DuerOS.ConnectedHome.Control"
    body: dict[str, Any] = {"accessToken": token, **payload}
    if appliance_id is not None:
        body["appliance"] = {"applianceId": appliance_id, "additionalApplianceDetails": {}}
    return {
        "header": {
            "namespace": namespace,
            "name": name,
            "messageId": str(uuid.uuid4()),
            "payloadVersion": "1",
        },
        "payload": body,
    }


@pytest.fixture
def dueros_options() -> dict[str, Any]:
    """Options of the bridge entry (default: what Assist sees)."""
    return {}


@pytest.fixture
async def demo_home(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Home Assistant's own demo entities (not Mi Home devices), exposed to Assist by default."""
    assert await async_setup_component(hass, "homeassistant", {})
    with (
        patch(
            "homeassistant.components.demo.COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM",
            DEMO_PLATFORMS,
        ),
        patch("homeassistant.components.demo.lock.LOCK_UNLOCK_DELAY", 0),
    ):
        assert await async_setup_component(hass, "demo", {})
        await hass.async_block_till_done()
        yield


@pytest.fixture
def report_url() -> str:
    """Where change reports go (nothing listens here unless a test brings the twin)."""
    return "http://127.0.0.1:9"


@pytest.fixture
async def dueros_entry(
    hass: HomeAssistant, demo_home: None, dueros_options: dict[str, Any], report_url: str
) -> AsyncGenerator[MockConfigEntry]:
    """The DuerOS bridge entry, set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="DuerOS",
        unique_id="dueros",
        data={
            CONF_ENTRY_TYPE: ENTRY_TYPE_DUEROS,
            CONF_CLIENT_ID: "https://xiaodu.baidu.com",
            CONF_BOT_ID: "miot-connect-twin-bot",
            CONF_REPORT_URL: report_url,
        },
        options=dueros_options,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def send(
    hass: HomeAssistant,
    dueros_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
) -> Send:
    """POST a directive to the skill endpoint (token: a real Home Assistant access token)."""
    client = await hass_client_no_auth()

    async def _send(
        name: str, appliance_id: str | None = None, token: str | None = "", **payload: Any
    ) -> dict[str, Any]:
        body = directive(name, hass_access_token if token == "" else token, appliance_id, **payload)
        resp = await client.post(SERVICE_PATH, json=body)
        assert resp.status == 200
        answer: dict[str, Any] = await resp.json()
        assert answer["header"]["namespace"] == body["header"]["namespace"]
        assert answer["header"]["payloadVersion"] == "1"
        assert answer["header"]["messageId"] != body["header"]["messageId"]
        await hass.async_block_till_done()
        return answer

    return _send
