"""Config flow: every step and error path, through Home Assistant's flow manager and HTTP view."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
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
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from simulator import Fault, Simulator

from .conftest import simulator_endpoints

REDIRECT = "http://127.0.0.1:8123"


async def _start(hass: HomeAssistant, simulator: Simulator, **extra: Any) -> dict[str, Any]:
    """Fill the first form with the simulator's endpoints; returns the external step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_REGION: "cn",
            CONF_LANGUAGE: "en",
            **simulator_endpoints(simulator),
            CONF_REDIRECT_URL: REDIRECT,
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
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOMES: homes}
    )
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
    """Without advanced mode only region and language are asked; region follows the country."""
    hass.config.country = "US"
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    assert [str(key) for key in schema] == [CONF_REGION, CONF_LANGUAGE]
    defaults = {str(key): key.default() for key in schema}
    assert defaults == {CONF_REGION: "us", CONF_LANGUAGE: "en"}
