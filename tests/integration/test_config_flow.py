"""Config flow: every step and error path, through Home Assistant's flow manager and HTTP view."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect.const import (
    CONF_HOMES,
    CONF_LANGUAGE,
    CONF_REDIRECT_URL,
    CONF_REGION,
    CONF_TOKEN,
    CONF_UID,
    DOMAIN,
    OAUTH_CALLBACK_PATH,
)
from simulator import Fault, Simulator

from .conftest import simulator_endpoints

REDIRECT = "http://127.0.0.1:8123"


async def _start(hass: HomeAssistant, simulator: Simulator, **extra: Any) -> dict[str, Any]:
    """Fill the first form with the simulator's endpoints; returns the external step."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "cn",
            CONF_LANGUAGE: "en",
            "endpoints": {**simulator_endpoints(simulator), CONF_REDIRECT_URL: REDIRECT},
            **extra,
        },
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    return dict(result)


async def _approve(
    simulator: Simulator, session: aiohttp.ClientSession, url: str
) -> tuple[str, str]:
    """Approve on the simulator's authorize page as the user's browser would."""
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{simulator.base_url}/oauth2/authorize?")
    assert query["redirect_uri"] == [REDIRECT + OAUTH_CALLBACK_PATH]
    async with session.get(
        f"{simulator.base_url}/_sim/oauth/code",
        params={"redirect_uri": query["redirect_uri"][0], "state": query["state"][0]},
    ) as resp:
        assert resp.status == 200
        code = (await resp.json())["code"]
    return code, query["state"][0]


async def _callback(
    hass_client_no_auth: ClientSessionGenerator, code: str, state: str, status: int = 200
) -> None:
    client = await hass_client_no_auth()
    resp = await client.get(OAUTH_CALLBACK_PATH, params={"code": code, "state": state})
    assert resp.status == status


async def test_full_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Region → Xiaomi sign-in → homes → entry, and the entry loads."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, code, state)
    # The same state cannot be used twice.
    await _callback(hass_client_no_auth, code, state, status=400)

    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "homes"
    homes = [str(home_id) for home_id in simulator.cloud.homes]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOMES: homes})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == simulator.uid
    assert entry.data[CONF_UID] == simulator.uid
    assert entry.data[CONF_TOKEN]["access_token"]
    assert entry.options[CONF_HOMES] == homes
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_invalid_code_shows_error(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A code the cloud rejects brings the user back to the first form with an error."""
    result = await _start(hass, simulator)
    _, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, "not-a-code", state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.parametrize(
    ("fault", "error"),
    [({"status": 500, "path": "/app/v2/homeroom"}, "cannot_connect")],
)
async def test_cloud_error_shows_error(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
    fault: dict[str, Any],
    error: str,
) -> None:
    """A cloud failure while listing homes is a form error, nothing is created."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, result["url"])
    simulator.cloud.faults.append(Fault(**fault))
    await _callback(hass_client_no_auth, code, state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The same Xiaomi account twice aborts."""
    MockConfigEntry(domain=DOMAIN, unique_id=simulator.uid, data={}).add_to_hass(hass)
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, code, state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_form_defaults(hass: HomeAssistant) -> None:
    """Region and language are asked, endpoints wait in a collapsed section; region follows the
    country."""
    hass.config.country = "US"
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    assert [str(key) for key in schema] == [CONF_REGION, CONF_LANGUAGE, "endpoints", "dueros"]
    defaults = {str(key): key.default() for key in schema if str(key) != "endpoints"}
    assert defaults == {CONF_REGION: "us", CONF_LANGUAGE: "en", "dueros": False}
    endpoints = schema["endpoints"]
    assert endpoints.options == {"collapsed": True}


async def test_no_homes(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An account without homes in the region is a form error."""
    simulator.cloud.homes.clear()
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, code, state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["errors"] == {"base": "no_homes"}


async def test_reauth(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Reauth signs the same account in again and stores the new token."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_REDIRECT_URL: REDIRECT}
    )
    old = config_entry.data[CONF_TOKEN]["access_token"]
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, "bad-code", state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    # A failed sign-in comes back to the confirmation with the error.
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, code, state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_TOKEN]["access_token"] != old
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_reauth_wrong_account(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Signing in with another account during reauth aborts and keeps the entry as it was."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="someone-else",
        data={
            CONF_REGION: "cn",
            CONF_LANGUAGE: "en",
            "device_id": "ha.0123456789abcdef0123456789abcdef",
            **simulator_endpoints(simulator),
            CONF_REDIRECT_URL: REDIRECT,
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    code, state = await _approve(simulator, simulator_session, result["url"])
    await _callback(hass_client_no_auth, code, state)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert CONF_TOKEN not in entry.data


async def test_reconfigure(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reconfigure changes region and endpoints and keeps the sign-in."""
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    token = config_entry.data[CONF_TOKEN]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "de",
            "endpoints": {**simulator_endpoints(simulator), CONF_REDIRECT_URL: REDIRECT},
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_REGION] == "de"
    assert config_entry.data[CONF_TOKEN] == token
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_options_flow(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The options form lists homes and devices; saving reloads the entry."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    speaker_field = result["data_schema"].schema["voice_speaker"]  # type: ignore[union-attr]
    assert [option["value"] for option in speaker_field.config["options"]] == ["100007"]
    homes = init_integration.runtime_data.coordinator.home_names()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_HOMES: list(homes),
            "poll_interval": 120,
            "push": False,
            "excluded_devices": ["100001"],
            "sync_areas": False,
            "voice_aliases": False,
            "voice_speaker": "100007",
            "local_control": {
                "lan_mode": "auto",
                "cloud_only_devices": ["100004"],
                "local_only_devices": ["100005"],
            },
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    coordinator = init_integration.runtime_data.coordinator
    assert "100001" not in coordinator.devices
    assert not coordinator.push_enabled
    assert coordinator.poll_interval.total_seconds() == 120
    assert init_integration.options["voice_speaker"] == "100007"
    assert coordinator.local.router.mode_of("100004") == "cloud"
    assert coordinator.local.router.mode_of("100005") == "local"
    assert coordinator.local.router.mode_of("100006") == "auto"

    # Saving new data (a refreshed token) is not an options change: no reload.
    hass.config_entries.async_update_entry(
        init_integration, data={**init_integration.data, "marker": 1}
    )
    await hass.async_block_till_done()
    assert init_integration.runtime_data.coordinator is coordinator


async def test_options_flow_when_not_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """The options form still opens when the entry is not loaded (homes from the options)."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_HOMES: ["h1"]})
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
