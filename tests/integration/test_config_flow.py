"""Config flow: every step and error path, through Home Assistant's flow manager and HTTP view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.miot_connect import oauth
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

from .conftest import registry_device, simulator_endpoints

REDIRECT = "http://127.0.0.1:8123"


async def _start(hass: HomeAssistant, simulator: Simulator, **extra: Any) -> dict[str, Any]:
    """Fill the first form with the simulator's endpoints; returns the sign-in form."""
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
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "auth"
    return dict(result)


def _link(result: Mapping[str, Any]) -> str:
    """The sign-in link the form shows."""
    placeholders = result["description_placeholders"]
    assert placeholders["redirect_url"] == REDIRECT
    url: str = placeholders["authorize_url"]
    return url


def _state(result: Mapping[str, Any]) -> str:
    return parse_qs(urlsplit(_link(result)).query)["state"][0]


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
    hass_client_no_auth: ClientSessionGenerator,
    params: dict[str, str],
    status: int = 200,
) -> str:
    client = await hass_client_no_auth()
    resp = await client.get(OAUTH_CALLBACK_PATH, params=params)
    assert resp.status == status
    return await resp.text()


def _landing(code: str, state: str) -> str:
    """The address the browser shows after Xiaomi redirected it (reachable or not)."""
    return f"{REDIRECT}{OAUTH_CALLBACK_PATH}?{urlencode({'code': code, 'state': state})}"


async def _submit(hass: HomeAssistant, flow_id: str, text: str | None = None) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_configure(
        flow_id, {} if text is None else {"redirect": text}
    )
    return dict(result)


async def _finish(hass: HomeAssistant, simulator: Simulator, result: Mapping[str, Any]) -> None:
    """Homes form → entry, which loads; unloaded again."""
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


async def test_full_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Region → Xiaomi sign-in → our callback → Submit → homes → entry, and the entry loads."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    page = await _callback(hass_client_no_auth, {"code": code, "state": state})
    assert "Signed in" in page
    # The same state cannot be used twice.
    page = await _callback(hass_client_no_auth, {"code": code, "state": state}, status=400)
    assert "already used" in page
    await _finish(hass, simulator, await _submit(hass, result["flow_id"]))


async def test_callback_then_frontend_reload(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """When the frontend reloads the flow after the callback, it moves on without a submit."""
    assert await async_setup_component(hass, "config", {})
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    await _callback(hass_client_no_auth, {"code": code, "state": state})
    client = await hass_client()
    resp = await client.get(f"/api/config/config_entries/flow/{result['flow_id']}")
    assert resp.status == 200
    assert (await resp.json())["step_id"] == "homes"
    await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOMES: [str(home_id) for home_id in simulator.cloud.homes]}
    )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "paste",
    [
        "landing",
        "landing without scheme",
        "query only",
        "bare code",
    ],
)
async def test_paste_address(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    paste: str,
) -> None:
    """The callback is unreachable: the user pastes the address (or the code) and finishes."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    landing = _landing(code, state)
    text = {
        "landing": f"  {landing}\n",
        "landing without scheme": landing.split("://", 1)[1],
        "query only": "?" + urlsplit(landing).query,
        "bare code": code,
    }[paste]
    await _finish(hass, simulator, await _submit(hass, result["flow_id"], text))


async def test_paste_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
) -> None:
    """Nothing pasted, no code, a refused sign-in and another flow's state are form errors."""
    result = await _start(hass, simulator)
    flow_id = result["flow_id"]
    link = _link(result)
    for text, error in [
        (None, "sign_in_first"),
        ("   ", "sign_in_first"),
        ("http://homeassistant.local:8123/", "invalid_redirect"),
        ("the page did not load", "invalid_redirect"),
        (f"{REDIRECT}{OAUTH_CALLBACK_PATH}?error=access_denied&state=x", "access_denied"),
        (_landing("some-code", "not-a-state-we-issued"), "state_mismatch"),
    ]:
        result = await _submit(hass, flow_id, text)
        assert result["step_id"] == "auth"
        assert result["errors"] == {"base": error}, text
        # Errors that used nothing up keep the same link.
        assert _link(result) == link

    # A second flow's state is refused here and stays usable by its own flow.
    other = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(other))
    result = await _submit(hass, flow_id, _landing(code, state))
    assert result["errors"] == {"base": "state_mismatch"}
    assert _state(other) != _state(result)
    await _finish(hass, simulator, await _submit(hass, other["flow_id"], _landing(code, state)))
    hass.config_entries.flow.async_abort(flow_id)


async def test_state_single_use_and_new_link(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A used state is refused; a failed exchange shows a new link that works."""
    result = await _start(hass, simulator)
    _, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing("not-a-code", state))
    assert result["step_id"] == "auth"
    assert result["errors"] == {"base": "invalid_auth"}
    assert _state(result) != state
    # The used state works neither pasted nor through the callback.
    again = await _submit(hass, result["flow_id"], _landing("not-a-code", state))
    assert again["errors"] == {"base": "state_mismatch"}
    await _callback(hass_client_no_auth, {"code": "x", "state": state}, status=400)
    code, state = await _approve(simulator, simulator_session, _link(result))
    await _finish(hass, simulator, await _submit(hass, result["flow_id"], _landing(code, state)))


async def test_callback_without_code_keeps_state(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A callback without a code (the user refused) does not use the state up."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    page = await _callback(
        hass_client_no_auth, {"error": "access_denied", "state": state}, status=400
    )
    assert "did not send a sign-in code" in page
    await _callback(hass_client_no_auth, {"code": code, "state": state})
    # Pasting the address as well does no harm: the code the callback received is used.
    await _finish(hass, simulator, await _submit(hass, result["flow_id"], _landing(code, state)))


async def test_state_expires(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A state expires: the callback and the form refuse it, and the form shows a new link."""
    result = await _start(hass, simulator)
    assert result["description_placeholders"]["minutes"] == "10"
    # Links made from now on are already past their lifetime.
    monkeypatch.setattr(oauth, "STATE_TTL", timedelta(0))
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    page = await _callback(hass_client_no_auth, {"code": code, "state": state}, status=400)
    assert "expired" in page

    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing(code, state))
    assert result["errors"] == {"base": "state_expired"}
    assert _state(result) != state
    # A bare code stands for the current link, which has expired as well.
    link = _link(result)
    result = await _submit(hass, result["flow_id"], code)
    assert result["errors"] == {"base": "state_expired"}
    assert _link(result) != link
    monkeypatch.setattr(oauth, "STATE_TTL", timedelta(minutes=10))
    result = await _submit(hass, result["flow_id"], code)
    assert result["errors"] == {"base": "state_expired"}
    code, state = await _approve(simulator, simulator_session, _link(result))
    await _finish(hass, simulator, await _submit(hass, result["flow_id"], code))
    for flow in hass.config_entries.flow.async_progress():
        hass.config_entries.flow.async_abort(flow["flow_id"])


async def test_ended_flow_forgets_its_state(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Once the flow is closed, its link no longer works."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    hass.config_entries.flow.async_abort(result["flow_id"])
    await _callback(hass_client_no_auth, {"code": code, "state": state}, status=400)


async def test_cloud_error_shows_error(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A cloud failure while listing homes is a form error, nothing is created."""
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    simulator.cloud.faults.append(Fault(status=500, path="/app/v2/homeroom"))
    await _callback(hass_client_no_auth, {"code": code, "state": state})
    result = await _submit(hass, result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "auth"
    assert result["errors"] == {"base": "cannot_connect"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
) -> None:
    """The same Xiaomi account twice aborts."""
    MockConfigEntry(domain=DOMAIN, unique_id=simulator.uid, data={}).add_to_hass(hass)
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing(code, state))
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
) -> None:
    """An account without homes in the region goes back to the region form with an error."""
    simulator.cloud.homes.clear()
    result = await _start(hass, simulator)
    code, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing(code, state))
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "no_homes"}


async def _reauth_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "auth"
    return dict(result)


async def test_reauth(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Reauth signs the same account in again by either path, with a new state every time."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_REDIRECT_URL: REDIRECT}
    )
    old = config_entry.data[CONF_TOKEN]["access_token"]
    result = await _reauth_form(hass, config_entry)
    first_state = _state(result)
    _, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing("bad-code", state))
    # A failed sign-in stays on the sign-in form with the error and a new link.
    assert result["step_id"] == "auth"
    assert result["errors"] == {"base": "invalid_auth"}
    code, state = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], _landing(code, state))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_TOKEN]["access_token"] != old
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)

    # The next reauth has another state, and the callback path works too.
    result = await _reauth_form(hass, config_entry)
    assert _state(result) not in (first_state, state)
    code, state = await _approve(simulator, simulator_session, _link(result))
    await _callback(hass_client_no_auth, {"code": code, "state": state})
    result = await _submit(hass, result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_reauth_wrong_account(
    hass: HomeAssistant,
    simulator: Simulator,
    simulator_session: aiohttp.ClientSession,
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
    result = await _reauth_form(hass, entry)
    code, _ = await _approve(simulator, simulator_session, _link(result))
    result = await _submit(hass, result["flow_id"], code)
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
    # The device left out is gone from the registry, the others stay.
    assert registry_device(hass, "100001") is None
    assert registry_device(hass, "100002") is not None
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
