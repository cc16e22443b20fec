"""Xiaoai listening against the passport and MiNA twins: options-flow sign-in, the poller, the
heard event, routing to Assist, token renewal and the repair issue, back-off and unload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
import json
import logging
import time
from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.miot_connect.const import (
    CONF_EXCLUDED_DEVICES,
    CONF_HOMES,
    CONF_POLL_INTERVAL,
    CONF_PUSH,
    CONF_SYNC_AREAS,
    CONF_VOICE_ALIASES,
    CONF_XIAOAI,
    CONF_XIAOAI_LISTEN,
    CONF_XIAOAI_PREFIX,
    CONF_XIAOAI_ROUTE,
    DOMAIN,
    EVENT_XIAOAI_HEARD,
)
from custom_components.miot_connect.diagnostics import async_get_config_entry_diagnostics
from custom_components.miot_connect.mina import MinaEndpoints, MinaSignIn, SignInStep
from custom_components.miot_connect.xiaoai import (
    XiaoaiListener,
    mina_session,
    parse_prefixes,
    strip_prefix,
)
from simulator import Fault, Simulator
from simulator.passport import DEFAULT_PASSWORD

from .conftest import entry_data
from .test_services import wait_until

SPEAKER = "100007"
LAMP = "100001"
CONVERSATION_PATH = "/device_profile/v2/conversation"


# ----------------------------------------------------------------------------- helpers
def base_options() -> dict[str, Any]:
    """The main options form, as the test entry has it."""
    return {
        CONF_HOMES: [],
        CONF_POLL_INTERVAL: 60,
        CONF_PUSH: True,
        CONF_EXCLUDED_DEVICES: [],
        CONF_SYNC_AREAS: True,
        CONF_VOICE_ALIASES: True,
    }


async def open_xiaoai(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Open the options and tick "Xiaoai listening": the Xiaoai menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert "xiaoai_setup" in result["data_schema"].schema  # type: ignore[union-attr]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base_options(), "xiaoai_setup": True}
    )
    assert result["type"] is FlowResultType.MENU
    return dict(result)


async def choose(hass: HomeAssistant, result: dict[str, Any], step: str) -> dict[str, Any]:
    """Pick a menu option."""
    return dict(
        await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": step})
    )


async def submit(hass: HomeAssistant, result: dict[str, Any], data: dict[str, Any]) -> Any:
    """Submit a form."""
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


async def password_step(
    hass: HomeAssistant, entry: MockConfigEntry, user: str, password: str = DEFAULT_PASSWORD
) -> dict[str, Any]:
    """Menu → password form → submitted."""
    result = await choose(hass, await open_xiaoai(hass, entry), "xiaoai_password")
    assert result["step_id"] == "xiaoai_password"
    return dict(await submit(hass, result, {"username": user, "password": password}))


async def finish_speakers(
    hass: HomeAssistant, result: dict[str, Any], **options: Any
) -> dict[str, Any]:
    """Save the speakers step."""
    assert result["step_id"] == "xiaoai_speakers", result.get("errors")
    data = {CONF_XIAOAI_LISTEN: [SPEAKER], CONF_XIAOAI_ROUTE: [], CONF_XIAOAI_PREFIX: ""}
    data.update(options)
    done = dict(await submit(hass, result, data))
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return done


def assert_no_password(entry: MockConfigEntry) -> None:
    """The password is stored nowhere in the entry."""
    stored = json.dumps({"data": dict(entry.data), "options": dict(entry.options)})
    assert DEFAULT_PASSWORD not in stored
    assert "password" not in stored


def listener_of(entry: MockConfigEntry) -> XiaoaiListener:
    """The running listener of a loaded entry."""
    listener = entry.runtime_data.xiaoai
    assert listener is not None
    return listener


def heard_entity(hass: HomeAssistant) -> str:
    """Entity id of the speaker's "Xiaoai heard" event entity (by unique id)."""
    entity_id = er.async_get(hass).async_get_entity_id("event", DOMAIN, f"{SPEAKER}_xiaoai_heard")
    assert entity_id is not None
    return entity_id


async def sign_in(hass: HomeAssistant, simulator: Simulator) -> dict[str, Any]:
    """A credential for the demo account, signed in through the library."""
    flow = MinaSignIn(
        mina_session(hass),
        MinaEndpoints.for_region("cn", base_url=simulator.base_url, ca_file=simulator.ca_file),
    )
    result = await flow.start("demo@example.com", DEFAULT_PASSWORD)
    assert result.step is SignInStep.OK
    assert result.credential is not None
    return result.credential.to_dict()


def spoken(simulator: Simulator) -> list[str]:
    """What the speaker said through ubus TTS."""
    return [item["text"] for item in simulator.mina.state(SPEAKER).spoken if item["via"] == "ubus"]


def operations(simulator: Simulator) -> list[str]:
    """Player operations sent to the speaker through ubus."""
    return [
        item["action"] for item in simulator.mina.state(SPEAKER).operations if item["via"] == "ubus"
    ]


@pytest.fixture
def xiaoai_options() -> dict[str, Any]:
    """Xiaoai options of the listening entry (override per test through parametrize)."""
    return {CONF_XIAOAI_LISTEN: [SPEAKER], CONF_XIAOAI_ROUTE: [], CONF_XIAOAI_PREFIX: ""}


@pytest.fixture
async def listening(
    hass: HomeAssistant, simulator: Simulator, xiaoai_options: dict[str, Any]
) -> AsyncGenerator[MockConfigEntry]:
    """An entry signed in to Xiaoai and listening to the speaker; unloaded after the test."""
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    data = entry_data(simulator)
    data[CONF_XIAOAI] = await sign_in(hass, simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Demo",
        unique_id=simulator.uid,
        data=data,
        options={**base_options(), **xiaoai_options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
def heard_events(hass: HomeAssistant) -> Generator[list[Event[dict[str, Any]]]]:
    """Every `miot_connect_xiaoai_heard` bus event."""
    events: list[Event[dict[str, Any]]] = []
    unsub = hass.bus.async_listen(EVENT_XIAOAI_HEARD, events.append)
    yield events
    unsub()


@pytest.fixture
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short intervals so back-off shows within a test."""
    monkeypatch.setattr(XiaoaiListener, "active_interval", 0.05)
    monkeypatch.setattr(XiaoaiListener, "idle_interval", 0.4)
    monkeypatch.setattr(XiaoaiListener, "active_window", 0.2)
    monkeypatch.setattr(XiaoaiListener, "backoff_factor", 2.0)
    monkeypatch.setattr(XiaoaiListener, "error_interval", 0.05)
    monkeypatch.setattr(XiaoaiListener, "error_max_interval", 0.2)


# ----------------------------------------------------------------------------- sign-in
async def test_offered_when_a_speaker_is_found(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An entry with a speaker and no Xiaoai sign-in gets a notice pointing to the options."""
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"xiaoai_available_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "xiaoai_available"
    assert init_integration.runtime_data.xiaoai is None


async def test_password_sign_in(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Account and password → speakers → the credential is stored, the entry listens; no secret
    reaches the log."""
    caplog.set_level(logging.DEBUG)
    result = await password_step(hass, init_integration, "demo@example.com")
    await finish_speakers(hass, result)
    entry = init_integration
    for secret in (
        DEFAULT_PASSWORD,
        entry.data[CONF_XIAOAI]["pass_token"],
        entry.data[CONF_XIAOAI]["service_token"],
        entry.data[CONF_XIAOAI]["ssecurity"],
    ):
        assert secret not in caplog.text
    assert entry.state is ConfigEntryState.LOADED
    stored = entry.data[CONF_XIAOAI]
    assert stored["user_id"] == str(simulator.uid)
    assert stored["service_token"]
    assert entry.options[CONF_XIAOAI_LISTEN] == [SPEAKER]
    assert entry.options[CONF_POLL_INTERVAL] == 60
    assert_no_password(entry)
    # The entry was reloaded with the listener, and the offer is gone.
    listener_of(entry)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"xiaoai_available_{entry.entry_id}") is None
    assert hass.states.get(heard_entity(hass)).state == STATE_UNKNOWN  # type: ignore[union-attr]

    # Saving the main form later keeps the Xiaoai options.
    result = dict(await hass.config_entries.options.async_init(entry.entry_id))
    await submit(hass, result, {**base_options(), CONF_POLL_INTERVAL: 90})
    await hass.async_block_till_done()
    assert entry.options[CONF_XIAOAI_LISTEN] == [SPEAKER]
    assert entry.options[CONF_POLL_INTERVAL] == 90


async def test_wrong_password(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A wrong password asks again; nothing is stored."""
    result = await password_step(hass, init_integration, "demo@example.com", "not-it")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "xiaoai_password"
    assert result["errors"] == {"base": "invalid_auth"}
    assert CONF_XIAOAI not in init_integration.data


async def test_captcha(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The captcha image is shown inline; a wrong text gives a new one, the right one signs in."""
    result = await password_step(hass, init_integration, "captcha@example.com")
    assert result["step_id"] == "xiaoai_captcha"
    image = result["description_placeholders"]["captcha"]
    assert image.startswith("![captcha](data:image/png;base64,")
    issued = len(simulator.passport.captcha_answers)
    result = dict(await submit(hass, result, {"captcha": "wrong"}))
    assert result["step_id"] == "xiaoai_captcha"
    assert result["errors"] == {"base": "wrong_captcha"}
    assert result["description_placeholders"]["captcha"].startswith("![captcha](data:")
    assert len(simulator.passport.captcha_answers) == issued + 1  # a new image was fetched
    answer = simulator.passport.captcha_answers[-1]
    result = dict(await submit(hass, result, {"captcha": answer}))
    await finish_speakers(hass, result)
    assert init_integration.data[CONF_XIAOAI]["service_token"]
    assert_no_password(init_integration)


async def test_two_factor_choose_method(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Phone or e-mail: pick one, a wrong code asks again, the right one signs in."""
    result = await password_step(hass, init_integration, "both@example.com")
    assert result["step_id"] == "xiaoai_method"
    result = dict(await submit(hass, result, {"method": "email"}))
    assert result["step_id"] == "xiaoai_code"
    assert simulator.passport.sent_codes[-1]["method"] == "email"
    result = dict(await submit(hass, result, {"code": "000000x"}))
    assert result["step_id"] == "xiaoai_code"
    assert result["errors"] == {"base": "invalid_code"}
    code = simulator.passport.sent_codes[-1]["code"]
    result = dict(await submit(hass, result, {"code": code}))
    await finish_speakers(hass, result)
    assert init_integration.data[CONF_XIAOAI]["pass_token"]


async def test_two_factor_single_method(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With only SMS, the code is sent at once."""
    result = await password_step(hass, init_integration, "sms@example.com")
    assert result["step_id"] == "xiaoai_code"
    assert simulator.passport.sent_codes[-1]["method"] == "phone"
    code = simulator.passport.sent_codes[-1]["code"]
    await finish_speakers(hass, dict(await submit(hass, result, {"code": code})))
    assert init_integration.data[CONF_XIAOAI]["service_token"]


async def test_blocked_then_pass_token(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A blocked account is sent to the passToken form; a bad paste is refused, a good one works."""
    result = await password_step(hass, init_integration, "blocked@example.com")
    assert result["step_id"] == "xiaoai_token"
    assert result["errors"] == {"base": "blocked"}
    result = dict(await submit(hass, result, {}))
    assert result["errors"] == {"base": "invalid_token"}
    result = dict(await submit(hass, result, {"cookie": "userId=1; passToken=forged"}))
    assert result["errors"] == {"base": "invalid_token"}
    pass_token = simulator.passport.issue_pass_token(int(simulator.uid))
    result = dict(
        await submit(hass, result, {"cookie": f"userId={simulator.uid}; passToken={pass_token}"})
    )
    await finish_speakers(hass, result)
    assert init_integration.data[CONF_XIAOAI]["user_id"] == str(simulator.uid)


async def test_pass_token_fields_and_menu(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """userId + passToken from the menu; once signed in the menu offers speakers and sign-out."""
    result = await choose(hass, await open_xiaoai(hass, init_integration), "xiaoai_token")
    pass_token = simulator.passport.issue_pass_token(int(simulator.uid))
    result = dict(
        await submit(hass, result, {"user_id": str(simulator.uid), "pass_token": pass_token})
    )
    await finish_speakers(hass, result, **{CONF_XIAOAI_ROUTE: [SPEAKER]})
    token = init_integration.data[CONF_XIAOAI]["service_token"]

    menu = await open_xiaoai(hass, init_integration)
    assert menu["menu_options"] == [
        "xiaoai_speakers",
        "xiaoai_password",
        "xiaoai_token",
        "xiaoai_sign_out",
    ]
    result = await choose(hass, menu, "xiaoai_speakers")
    listen = result["data_schema"].schema[CONF_XIAOAI_LISTEN]
    assert [o["value"] for o in listen.config["options"]] == [SPEAKER]
    await finish_speakers(hass, result, **{CONF_XIAOAI_PREFIX: " 让HA, Home Assistant "})
    assert init_integration.options[CONF_XIAOAI_PREFIX] == "让HA, Home Assistant"
    assert init_integration.data[CONF_XIAOAI]["service_token"] == token

    # Signing in again with unchanged options still reloads with the new credential.
    result = await password_step(hass, init_integration, "demo@example.com")
    await finish_speakers(hass, result, **{CONF_XIAOAI_PREFIX: "让HA, Home Assistant"})
    assert init_integration.data[CONF_XIAOAI]["service_token"] != token
    assert init_integration.runtime_data.xiaoai is not None
    assert (
        init_integration.runtime_data.xiaoai.auth.credential.service_token
        == init_integration.data[CONF_XIAOAI]["service_token"]
    )

    result = await choose(hass, await open_xiaoai(hass, init_integration), "xiaoai_sign_out")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert CONF_XIAOAI not in init_integration.data
    assert CONF_XIAOAI_LISTEN not in init_integration.options
    assert init_integration.runtime_data.xiaoai is None


async def test_sign_in_service_down(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unreachable account service is a form error, not a crash."""
    simulator.cloud.faults.append(Fault(status=500, path="/pass/"))
    result = await password_step(hass, init_integration, "demo@example.com")
    assert result["errors"] == {"base": "cannot_connect"}


# ----------------------------------------------------------------------------- listening
async def test_heard_fires_event_and_entity(
    hass: HomeAssistant,
    listening: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
) -> None:
    """A query said to the speaker fires the bus event and the event entity within 2 s."""
    await asyncio.sleep(0.1)  # the first poll has run: history before it is not reported
    said = time.monotonic()
    simulator.mina.say(SPEAKER, "现在几点", "现在是中午十二点")
    await wait_until(lambda: bool(heard_events), timeout=2.0)
    latency = time.monotonic() - said
    event = heard_events[0]
    device = er.async_get(hass).async_get(heard_entity(hass))
    assert device is not None
    assert event.data["device_id"] == device.device_id
    assert event.data["did"] == SPEAKER
    assert event.data["text"] == "现在几点"
    assert event.data["answer"] == "现在是中午十二点"
    assert event.data["routed"] is False
    assert event.data["time"].endswith("+00:00")
    state = hass.states.get(heard_entity(hass))
    assert state is not None
    assert state.attributes["event_type"] == "heard"
    assert state.attributes["text"] == "现在几点"
    assert latency < 2.0
    # Not routed: Xiaoai's answer is left alone.
    assert operations(simulator) == []
    assert spoken(simulator) == []


@pytest.mark.parametrize(
    "xiaoai_options",
    [{CONF_XIAOAI_LISTEN: [SPEAKER], CONF_XIAOAI_ROUTE: [SPEAKER], CONF_XIAOAI_PREFIX: ""}],
)
async def test_routed_query_turns_device_on(
    hass: HomeAssistant,
    listening: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
) -> None:
    """Assist handles the query: the lamp goes on, Xiaoai is paused and the speaker says HA's
    answer; a query Assist does not handle leaves Xiaoai's answer."""
    lamp = simulator.cloud.device(LAMP)
    lamp.values[2, 1] = False
    await asyncio.sleep(0.1)
    simulator.mina.say(SPEAKER, "turn on the living room lamp", "好的")
    await wait_until(lambda: bool(spoken(simulator)), timeout=10.0)
    assert spoken(simulator) == ["Turned on Living Room Lamp"]  # the voice layer names it
    assert operations(simulator) == ["pause"]
    assert lamp.values[2, 1] is True
    assert heard_events[0].data["routed"] is True

    simulator.mina.say(SPEAKER, "sing me a song about mars", "好的，来一首")
    await wait_until(lambda: len(heard_events) == 2, timeout=3.0)
    await asyncio.sleep(0.2)
    assert spoken(simulator) == ["Turned on Living Room Lamp"]  # the voice layer names it
    assert operations(simulator) == ["pause"]
    assert simulator.mina.state(SPEAKER).status == 1  # Xiaoai still answering
    stats = listener_of(listening).diagnostics()["speakers"][SPEAKER]
    assert (stats["heard"], stats["routed"], stats["handled"]) == (2, 2, 1)


@pytest.mark.parametrize(
    "xiaoai_options",
    [{CONF_XIAOAI_LISTEN: [SPEAKER], CONF_XIAOAI_ROUTE: [SPEAKER], CONF_XIAOAI_PREFIX: "让HA"}],
)
async def test_wake_prefix(
    hass: HomeAssistant,
    listening: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
) -> None:
    """Only queries with the prefix go to Assist, without the prefix."""
    lamp = simulator.cloud.device(LAMP)
    lamp.values[2, 1] = False
    await asyncio.sleep(0.1)
    simulator.mina.say(SPEAKER, "turn on the living room lamp", "好的")
    await wait_until(lambda: bool(heard_events), timeout=3.0)
    assert heard_events[0].data["routed"] is False
    assert lamp.values[2, 1] is False
    simulator.mina.say(SPEAKER, "让HA，turn on the living room lamp", "好的")
    await wait_until(lambda: bool(spoken(simulator)), timeout=10.0)
    assert lamp.values[2, 1] is True
    assert heard_events[1].data["routed"] is True


def test_prefix_rules() -> None:
    """Prefixes split on commas and friends; matching ignores case and trims punctuation."""
    assert parse_prefixes(" 让HA， Home Assistant;;") == ("让HA", "Home Assistant")
    assert parse_prefixes(None) == ()
    assert strip_prefix("home assistant, turn on", ("Home Assistant",)) == "turn on"
    assert strip_prefix("让HA", ("让HA",)) is None
    assert strip_prefix("打开灯", ("让HA",)) is None
    assert strip_prefix(" 打开灯 ", ()) == "打开灯"
    assert strip_prefix("  ", ()) is None


async def test_renewal_and_repair(
    hass: HomeAssistant,
    listening: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An expired service token is renewed and saved; a revoked passToken files a repair issue
    and stops listening while the entry stays loaded."""
    caplog.set_level(logging.DEBUG, logger="custom_components.miot_connect")
    health = listening.runtime_data.coordinator.health_info["xiaoai_signin"]
    assert health() == "signed in"
    old = listening.data[CONF_XIAOAI]["service_token"]
    simulator.passport.expire_service_tokens()
    await asyncio.sleep(0.1)
    simulator.mina.say(SPEAKER, "你好", "你好呀")
    await wait_until(lambda: bool(heard_events), timeout=3.0)
    new = listening.data[CONF_XIAOAI]["service_token"]
    assert new != old
    assert listener_of(listening).auth.credential.service_token == new

    simulator.passport.revoke()
    issue_id = f"xiaoai_auth_failed_{listening.entry_id}"
    issues = ir.async_get(hass)
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, timeout=5.0)
    assert listening.state is ConfigEntryState.LOADED
    assert listener_of(listening).auth_failed
    assert health() == "sign-in refused"  # the system health line says why
    for secret in (old, new, DEFAULT_PASSWORD, listening.data[CONF_XIAOAI]["pass_token"]):
        assert secret not in caplog.text

    diagnostics = await async_get_config_entry_diagnostics(hass, listening)
    text = json.dumps(diagnostics)
    assert new not in text
    assert listening.data[CONF_XIAOAI]["pass_token"] not in text
    assert diagnostics["xiaoai_listening"]["auth_failed"] is True


async def test_broken_credential_files_repair(
    hass: HomeAssistant, simulator: Simulator, socket_enabled: None
) -> None:
    """Unusable stored credential data: a repair issue, no listener, the entry loads."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.uid,
        data={**entry_data(simulator), CONF_XIAOAI: {"user_id": "1"}},
        options={**base_options(), CONF_XIAOAI_LISTEN: [SPEAKER]},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.xiaoai is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"xiaoai_auth_failed_{entry.entry_id}")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_backoff_errors_and_unload(
    hass: HomeAssistant,
    fast_polling: None,
    listening: MockConfigEntry,
    simulator: Simulator,
    heard_events: list[Event[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Idle polling slows down, talking speeds it up, errors back off and are logged once,
    and nothing polls after unload."""
    listener = listener_of(listening)
    stats = listener.pollers[SPEAKER].stats
    await wait_until(lambda: stats.interval == XiaoaiListener.idle_interval, timeout=5.0)
    simulator.mina.say(SPEAKER, "你好", None)
    await wait_until(lambda: bool(heard_events), timeout=3.0)
    await wait_until(lambda: stats.interval == XiaoaiListener.active_interval, timeout=3.0)
    assert heard_events[0].data["answer"] is None

    caplog.clear()
    simulator.cloud.faults.append(Fault(status=500, path=CONVERSATION_PATH, count=4))
    await wait_until(lambda: stats.errors >= 4, timeout=5.0)
    await wait_until(lambda: "answers again" in caplog.text, timeout=5.0)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "cannot read" in warnings[0].getMessage()

    assert await hass.config_entries.async_unload(listening.entry_id)
    await hass.async_block_till_done()
    requests = stats.requests
    before = simulator.cloud.counters()["http"].get(CONVERSATION_PATH, 0)
    await asyncio.sleep(0.5)
    assert stats.requests == requests
    assert simulator.cloud.counters()["http"].get(CONVERSATION_PATH, 0) == before


async def test_device_trigger(
    hass: HomeAssistant, listening: MockConfigEntry, simulator: Simulator
) -> None:
    """A listened speaker offers the "Xiaoai heard" device trigger; an automation gets the text."""
    device = er.async_get(hass).async_get(heard_entity(hass))
    assert device is not None
    assert device.device_id is not None
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, [device.device_id]
    )
    heard = {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": device.device_id,
        "type": "xiaoai_heard",
        "subtype": "xiaoai",
        "metadata": {},
    }
    assert heard in triggers[device.device_id]
    events = async_capture_events(hass, "xiaoai_test")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": [
                    {
                        "trigger": "device",
                        "domain": DOMAIN,
                        "device_id": device.device_id,
                        "type": "xiaoai_heard",
                        "subtype": "xiaoai",
                    }
                ],
                "actions": [
                    {
                        "event": "xiaoai_test",
                        "event_data": {"text": "{{ trigger.text }}", "did": "{{ trigger.did }}"},
                    }
                ],
            }
        },
    )
    await hass.async_block_till_done()
    await asyncio.sleep(0.1)
    simulator.mina.say(SPEAKER, "晚安", "晚安")
    await wait_until(lambda: bool(events), timeout=3.0)
    assert events[0].data == {"text": "晚安", "did": int(SPEAKER)}  # templates render numbers
    # The lamp is not a listened speaker: no such trigger.
    lamp = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, LAMP), listening.entry_id)
    assert lamp is not None
    lamp_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, [lamp.id]
    )
    assert all(t["type"] != "xiaoai_heard" for t in lamp_triggers[lamp.id])


@pytest.mark.parametrize("user", ["nomethod@example.com", "stsblocked@example.com"])
async def test_other_blocked_branches(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator, user: str
) -> None:
    """No verification method, or a refused STS hop: the passToken form."""
    result = await password_step(hass, init_integration, user)
    assert result["step_id"] == "xiaoai_token"
    assert result["errors"] == {"base": "blocked"}


@pytest.mark.parametrize(
    "xiaoai_options",
    [{CONF_XIAOAI_LISTEN: [LAMP], CONF_XIAOAI_ROUTE: [], CONF_XIAOAI_PREFIX: ""}],
)
async def test_not_a_mina_speaker(
    hass: HomeAssistant, listening: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A listened device the MiNA list does not have is reported once and left alone."""
    listener = listener_of(listening)
    await wait_until(lambda: listener.pollers[LAMP].failures > 0, timeout=3.0)
    records = [*caplog.get_records("setup"), *caplog.records]
    assert any("not among the account's MiNA speakers" in r.getMessage() for r in records)
    assert listener.diagnostics()["speakers"][LAMP]["found"] is False
    assert listener.pollers[LAMP].stats.requests == 0


@pytest.mark.parametrize(
    "xiaoai_options",
    [{CONF_XIAOAI_LISTEN: [SPEAKER], CONF_XIAOAI_ROUTE: [SPEAKER], CONF_XIAOAI_PREFIX: ""}],
)
async def test_routed_through_assist_pipeline(
    hass: HomeAssistant, listening: MockConfigEntry, simulator: Simulator
) -> None:
    """With the Assist pipeline set up, its agent and language answer (here: the default)."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    await hass.async_block_till_done()
    lamp = simulator.cloud.device(LAMP)
    lamp.values[2, 1] = True
    await asyncio.sleep(0.1)
    simulator.mina.say(SPEAKER, "turn off the living room lamp", "好的")
    await wait_until(lambda: bool(spoken(simulator)), timeout=10.0)
    assert spoken(simulator) == ["Turned off Living Room Lamp"]
    assert lamp.values[2, 1] is False


async def test_sign_in_errors_on_the_way(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Failures after the first step end in a form error (the sign-in starts over)."""
    faults = simulator.cloud.faults
    # Captcha submitted while the account service is down.
    result = await password_step(hass, init_integration, "captcha@example.com")
    faults.append(Fault(status=500, path="/pass/serviceLoginAuth2", count=1))
    result = dict(await submit(hass, result, {"captcha": "x"}))
    assert (result["step_id"], result["errors"]) == ("xiaoai_password", {"base": "cannot_connect"})
    # Too many codes: the service rate-limits sending.
    faults.append(Fault(rate_limit=True, path="/identity/auth/sendEmailTicket", count=1))
    result = await password_step(hass, init_integration, "both@example.com")
    result = dict(await submit(hass, result, {"method": "email"}))
    assert (result["step_id"], result["errors"]) == ("xiaoai_method", {"base": "rate_limited"})
    # Sending fails otherwise.
    faults.append(Fault(status=500, path="/identity/auth/verifyEmail", count=1))
    result = await password_step(hass, init_integration, "email@example.com")
    assert (result["step_id"], result["errors"]) == ("xiaoai_password", {"base": "cannot_connect"})
    # The code check fails.
    result = await password_step(hass, init_integration, "sms@example.com")
    faults.append(Fault(status=500, path="/identity/auth/verifyPhone", count=1))
    result = dict(await submit(hass, result, {"code": "123456"}))
    assert (result["step_id"], result["errors"]) == ("xiaoai_password", {"base": "cannot_connect"})
    # The passToken sign-in cannot reach the service.
    result = await choose(hass, await open_xiaoai(hass, init_integration), "xiaoai_token")
    faults.append(Fault(status=500, path="/pass/serviceLogin", count=1))
    result = dict(await submit(hass, result, {"user_id": "1", "pass_token": "x"}))
    assert (result["step_id"], result["errors"]) == ("xiaoai_token", {"base": "cannot_connect"})
    assert CONF_XIAOAI not in init_integration.data


@pytest.mark.parametrize(
    "xiaoai_options",
    [{CONF_XIAOAI_LISTEN: [], CONF_XIAOAI_ROUTE: [SPEAKER], CONF_XIAOAI_PREFIX: ""}],
)
async def test_answer_fails(
    hass: HomeAssistant,
    listening: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A routed speaker is listened to; when the speaker cannot be paused, it is logged and the
    query still counts as handled by Home Assistant."""
    listener = listener_of(listening)
    assert list(listener.pollers) == [SPEAKER]
    await asyncio.sleep(0.1)
    simulator.cloud.faults.append(Fault(status=500, path="/remote/ubus"))
    simulator.mina.say(SPEAKER, "turn on the living room lamp", "好的")
    stats = listener.pollers[SPEAKER].stats
    await wait_until(lambda: stats.handled == 1, timeout=10.0)
    assert "cannot answer" in caplog.text
    assert spoken(simulator) == []
