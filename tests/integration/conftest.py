"""Fixtures for the Home Assistant side: a config entry pointed at the running simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import time
from typing import Any
import uuid

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miot_connect.const import (
    CONF_BASE_URL,
    CONF_CA_FILE,
    CONF_DEVICE_ID,
    CONF_EXCLUDED_DEVICES,
    CONF_HOMES,
    CONF_LANGUAGE,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_POLL_INTERVAL,
    CONF_PUSH,
    CONF_REGION,
    CONF_SYNC_AREAS,
    CONF_TOKEN,
    CONF_UID,
    DOMAIN,
)
from simulator import Simulator


def simulator_endpoints(simulator: Simulator) -> dict[str, Any]:
    """Endpoint overrides that point the integration at the simulator."""
    return {
        CONF_BASE_URL: simulator.base_url,
        CONF_MQTT_HOST: simulator.mqtt_host,
        CONF_MQTT_PORT: simulator.mqtt_port,
        CONF_CA_FILE: simulator.ca_file,
    }


def entry_data(simulator: Simulator, **overrides: Any) -> dict[str, Any]:
    """Config entry data for the simulator's demo account with a fresh token."""
    tokens = simulator.issue_tokens()
    return {
        CONF_REGION: "cn",
        CONF_LANGUAGE: "en",
        CONF_DEVICE_ID: f"ha.{uuid.uuid4().hex}",
        CONF_UID: simulator.uid,
        CONF_TOKEN: {
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "expires_in": tokens["expires_in"],
            "obtained_at": time.time(),
        },
        **simulator_endpoints(simulator),
        **overrides,
    }


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Options of the test entry (override in a test module to change them)."""
    return {
        CONF_HOMES: [],
        CONF_POLL_INTERVAL: 60,
        CONF_PUSH: True,
        CONF_EXCLUDED_DEVICES: [],
        CONF_SYNC_AREAS: True,
    }


@pytest.fixture
async def config_entry(
    hass: HomeAssistant, simulator: Simulator, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """A config entry for the demo account, added but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Demo",
        unique_id=simulator.uid,
        data=entry_data(simulator),
        options=entry_options,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The demo account set up; unloaded again after the test."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = config_entry.runtime_data.coordinator
    if coordinator.push_enabled:
        # Setup does not wait for the broker; tests that push need the subscription in place.
        await asyncio.wait_for(coordinator.push.wait_connected(), 10)
        await asyncio.wait_for(coordinator.push.wait_subscribed(), 10)
    yield config_entry
    if config_entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()


def registry_device(hass: HomeAssistant, did: str) -> dr.DeviceEntry | None:
    """The device registry entry of a Xiaomi device of any MIoT Connect entry."""
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if device := registry.async_get_device_by_identifier((DOMAIN, did), entry.entry_id):
            return device
    return None
