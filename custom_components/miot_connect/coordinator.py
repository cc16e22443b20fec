"""Account coordinator: devices, specs and property values, fed by push first and polling second."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import (
    CONF_EXCLUDED_DEVICES,
    CONF_HOMES,
    CONF_LANGUAGE,
    CONF_POLL_INTERVAL,
    CONF_PUSH,
    CONF_SYNC_AREAS,
    DEFAULT_POLL_INTERVAL,
    DEVICE_LIST_REFRESH,
    DEVICE_MISSING_GRACE,
    DOMAIN,
    EXECUTE_TEXT,
    FIRST_VALUES_WAIT,
    MISSING_RECHECK,
    OUTAGE_AFTER_FAILED_READS,
    OUTAGE_RETRY,
    PLAY_TEXT,
    PUSH_DOWN_REPAIR_AFTER,
    SETUP_CLOUD_TIMEOUT,
    SPEAKER_SERVICE,
)
from .discovery import MiotEntityInfo, discover_entities
from .local import LocalControl
from .miot import (
    Device,
    DeviceSpec,
    DeviceStateChange,
    EventOccurred,
    Home,
    MiotAuthError,
    MiotCloudClient,
    MiotDeviceApi,
    MiotDeviceOfflineError,
    MiotError,
    MiotInvalidValueError,
    MiotPushClient,
    MiotSpecError,
    PropertyChange,
    PropertyResult,
    SpecService,
)

_LOGGER = logging.getLogger(__name__)

type PropKey = tuple[str, int, int]
EVENT_MIOT: str = f"{DOMAIN}_event"


def signal_new_devices(entry_id: str) -> str:
    """Dispatcher signal telling platforms that devices were added."""
    return f"{DOMAIN}_{entry_id}_new_devices"


@dataclass(slots=True)
class MiotEventData:
    """A spec event as entities and triggers see it."""

    did: str
    siid: int
    eiid: int
    arguments: dict[int, Any]


@dataclass(slots=True, eq=False)
class _Listener:
    """An entity's update callback and the properties it shows (None: every change)."""

    update: CALLBACK_TYPE
    keys: frozenset[PropKey] | None


@dataclass(slots=True)
class CoordinatorStats:
    """Counters and recent errors for diagnostics."""

    pushed_properties: int = 0
    pushed_events: int = 0
    polls: int = 0
    push_connected: bool = False
    push_down_since: float | None = None
    failed_reads: int = 0
    outage_since: datetime | None = None
    outage_cause: str | None = None
    recent_errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Remember an error (the last 20)."""
        self.recent_errors.append(message)
        del self.recent_errors[:-20]


class MiotCoordinator:
    """Owns the account's devices and keeps their property values current."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: MiotCloudClient,
        specs: SpecService,
        push: MiotPushClient | None,
    ) -> None:
        """Keep the collaborators; nothing is fetched before async_setup."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.spec_service = specs
        self.push = push
        self.homes: list[Home] = []
        self.devices: dict[str, Device] = {}
        self.all_devices: dict[str, Device] = {}
        self.specs: dict[str, DeviceSpec] = {}
        self.spec_errors: dict[str, str] = {}
        self.values: dict[PropKey, Any] = {}
        self.room_names: dict[str, str] = {}
        # Devices missing from the last device-list answer → since when (UTC), kept unavailable.
        self.missing_since: dict[str, datetime] = {}
        self.stats = CoordinatorStats()
        # Hook for system health (system_health.py): lines of the features beside the cloud,
        # key (translated under "system_health.info" in strings.json) → a getter of its value.
        # Reserved keys: "xiaoai_signin", "dueros_link", "lan_devices_reached".
        self.health_info: dict[str, Callable[[], Any]] = {}
        self._listeners: dict[str, list[_Listener]] = defaultdict(list)
        self._event_listeners: dict[str, list[Callable[[MiotEventData], None]]] = defaultdict(list)
        self._unsubs: list[CALLBACK_TYPE] = []
        self._poll_lock = asyncio.Lock()
        self._push_repair_unsub: CALLBACK_TYPE | None = None
        self._retry_unsub: CALLBACK_TYPE | None = None
        self._recheck_unsub: CALLBACK_TYPE | None = None
        self._closed = False
        # Properties whose last reported value broke the spec (warned once until a good one).
        self._bad_values: set[PropKey] = set()
        # Reported-value generation of each property: a write's answer never overwrites a
        # value that was pushed or read while the write was on its way.
        self._generation: dict[PropKey, int] = defaultdict(int)
        # Devices one of whose listeners raised (logged once per device).
        self._failing_listeners: set[str] = set()
        # Device registry info per device (entity.device_info), and the registry entries made
        # from it at setup: entities are attached to these directly (no registry update per
        # entity); devices added later register through their entities' device info.
        self.device_info_cache: dict[str, Any] = {}
        self.registry_devices: dict[str, dr.DeviceEntry] = {}
        # Whether each entity (did, key) is enabled: the registry's choice for known entities;
        # for new ones the discovery default within Home Assistant's limit (_plan_entities).
        self._enabled: dict[tuple[str, str], bool] = {}
        # Discovery results per spec object and model (devices of one model share them).
        self._infos: dict[tuple[int, str], tuple[DeviceSpec, list[MiotEntityInfo]]] = {}
        # What is read: only readable properties something shows or uses (enabled entities),
        # each with the number of its users. Of these, the ones without push are polled.
        self._wanted: dict[PropKey, int] = {}
        self._unpushed: set[PropKey] = set()
        # Properties answered by a read at least once, waiting to be read, being read.
        self._asked: set[PropKey] = set()
        self._queued: set[PropKey] = set()
        self._in_flight: set[PropKey] = set()
        self._flush_handle: asyncio.Handle | None = None
        self._reads_idle = asyncio.Event()
        self._reads_idle.set()
        self._first_read: asyncio.Task[MiotError | None] | None = None
        self._first_read_abandoned = False
        # Reads, writes and actions go through the local-first router (the cloud when the LAN
        # is off or a device does not answer there).
        self.local = LocalControl(
            hass,
            entry.data,
            entry.options,
            client,
            async_get_clientsession(hass),
            on_values=self.async_apply_results,
            on_token_error=self._on_lan_token_error,
        )
        self.device_api: MiotDeviceApi = self.local.router
        if self.local.enabled:
            self.health_info["lan_devices_reached"] = self.local.health

    # ----------------------------------------------------------------- options
    @property
    def poll_interval(self) -> timedelta:
        """Polling interval from the options."""
        return timedelta(
            seconds=float(self.entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))
        )

    @property
    def language(self) -> str:
        """Language of names taken from the spec: the entry's choice, else Home Assistant's."""
        return str(self.entry.data.get(CONF_LANGUAGE) or self.hass.config.language)

    @property
    def sync_areas(self) -> bool:
        """Whether new devices get the area named after their Mi Home room."""
        return bool(self.entry.options.get(CONF_SYNC_AREAS, True))

    @property
    def push_enabled(self) -> bool:
        """Whether cloud push is used."""
        return self.push is not None and bool(self.entry.options.get(CONF_PUSH, True))

    # ------------------------------------------------------------------- setup
    async def async_setup(self) -> None:
        """Discover devices, fetch specs, start push and start the first read; then poll.

        The first read (`async_first_values` waits for it) runs while the device registry and
        the entities are prepared. The cloud part is bounded by `SETUP_CLOUD_TIMEOUT`: a slow
        cloud never holds Home Assistant's start; the entry is retried instead.
        """
        try:
            async with asyncio.timeout(SETUP_CLOUD_TIMEOUT):
                await self._async_load_devices()
                await self.local.async_sync(self.devices.values())
            if self.push_enabled:
                # Subscribe before the first read so no change falls between the two.
                assert self.push is not None
                self.push.set_callbacks(
                    on_property=self._on_push_property,
                    on_event=self._on_push_event,
                    on_state=self._on_push_state,
                    on_connection=self._on_push_connection,
                )
                await self.push.start()
                await self.push.subscribe(list(self.devices))
        except MiotError as err:
            raise _setup_error(err) from err
        except TimeoutError as err:
            raise _setup_error(
                MiotError(f"no complete answer within {SETUP_CLOUD_TIMEOUT:g} s")
            ) from err
        ir.async_delete_issue(self.hass, DOMAIN, "entity_limit")  # planned again now
        self._start_first_read(self.predicted_keys(self.devices))
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._async_poll, self.poll_interval, name="miot_connect poll"
            )
        )
        self._unsubs.append(
            async_track_time_interval(
                self.hass,
                self._async_refresh_device_list,
                DEVICE_LIST_REFRESH,
                name="miot_connect device list",
            )
        )

    async def async_shutdown(self) -> None:
        """Stop timers and push; leaves nothing running."""
        self._closed = True
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._first_read is not None and not self._first_read.done():
            self._first_read.cancel()
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._push_repair_unsub is not None:
            self._push_repair_unsub()
            self._push_repair_unsub = None
        for pending in (self._retry_unsub, self._recheck_unsub):
            if pending is not None:
                pending()
        self._retry_unsub = self._recheck_unsub = None
        if self.push is not None:
            await self.push.stop()
        await self.local.async_close()
        await self.client.close()

    async def _async_load_devices(self) -> None:
        """Homes → devices → specs (one fetch per distinct urn)."""
        self.devices = await self._async_list_devices()

    async def _async_list_devices(self) -> dict[str, Device]:
        """The account's chosen devices with a readable spec, as the cloud lists them now."""
        wanted_homes = set(self.entry.options.get(CONF_HOMES) or [])
        excluded = set(self.entry.options.get(CONF_EXCLUDED_DEVICES) or [])
        self.homes = await self.client.get_homes()
        dids: list[str] = []
        for home in self.homes:
            if wanted_homes and home.home_id not in wanted_homes:
                continue
            for room in home.rooms:
                self.room_names[room.room_id] = room.name
            dids.extend(home.all_dids())
        devices = await self.client.get_devices(dids, self.homes)
        self.all_devices = {device.did: device for device in devices}
        chosen = {did: dev for did, dev in self.all_devices.items() if did not in excluded}
        await self._async_load_specs(chosen.values())
        return {did: dev for did, dev in chosen.items() if did in self.specs}

    async def _async_load_specs(self, devices: Iterable[Device]) -> None:
        """Fetch specs; a broken spec fails only its device and raises a repair issue."""
        todo = [device for device in devices if device.did not in self.specs]
        results = await asyncio.gather(
            *(self.spec_service.get_spec(device.urn) for device in todo), return_exceptions=True
        )
        for device, result in zip(todo, results, strict=True):
            if isinstance(result, DeviceSpec):
                self.specs[device.did] = result
                self.spec_errors.pop(device.did, None)
                ir.async_delete_issue(self.hass, DOMAIN, f"spec_{device.did}")
                continue
            if isinstance(result, MiotAuthError):
                raise result
            if not isinstance(result, MiotError):
                raise result
            reason = str(result)
            self.spec_errors[device.did] = reason
            self.stats.error(f"spec {device.model}: {reason}")
            _LOGGER.warning("Device %s (%s) is skipped: %s", device.name, device.model, reason)
            self._issue(
                f"spec_{device.did}",
                "spec_unavailable",
                device=device.name,
                model=device.model,
                error=reason if isinstance(result, MiotSpecError) else type(result).__name__,
            )

    # ------------------------------------------------------------ value access
    def value(self, did: str, siid: int, piid: int) -> Any:
        """Current value of a property (None when unknown)."""
        return self.values.get((did, siid, piid))

    def is_available(self, did: str) -> bool:
        """Whether the device is online, listed by the cloud and its values can be trusted."""
        device = self.devices.get(did)
        return (
            device is not None
            and device.online
            and did not in self.missing_since
            and self.values_trusted
        )

    @property
    def values_trusted(self) -> bool:
        """Whether values can be trusted: no outage, or push still delivers them.

        Outage: `OUTAGE_AFTER_FAILED_READS` failed cloud reads in a row, or a refused sign-in
        (which also fails push at its next connect, so push does not count then).
        """
        cause = self.stats.outage_cause
        if cause is None:
            return True
        return cause != _AUTH_CAUSE and self.push_enabled and self.stats.push_connected

    @callback
    def async_add_listener(
        self,
        did: str,
        update: CALLBACK_TYPE,
        props: Iterable[tuple[int, int]] | None = None,
    ) -> CALLBACK_TYPE:
        """Call `update` when the device's availability or one of `props` (siid, piid) changes
        (any value of the device when `props` is None).

        Listening to properties is using them: they are read (now, when their value is not
        known yet) and polled while they lack push, as long as one listener has them.
        """
        keys = None if props is None else frozenset((did, siid, piid) for siid, piid in props)
        listener = _Listener(update, keys)
        self._listeners[did].append(listener)
        if keys:
            self._want(keys)
        # A partial, not a closure: one small object per entity (thousands of them).
        return partial(self._remove_listener, did, listener)

    @callback
    def _remove_listener(self, did: str, listener: _Listener) -> None:
        self._listeners[did].remove(listener)
        if listener.keys:
            self._unwant(listener.keys)

    @callback
    def async_add_event_listener(
        self, did: str, handler: Callable[[MiotEventData], None]
    ) -> CALLBACK_TYPE:
        """Call `handler` for every spec event of the device."""
        self._event_listeners[did].append(handler)

        @callback
        def remove() -> None:
            self._event_listeners[did].remove(handler)

        return remove

    @callback
    def _notify(self, dids: Iterable[str], changed: Collection[PropKey] | None = None) -> None:
        """Wake the listeners of these devices (with `changed`, only those showing one of
        these properties); one failing listener stops no other."""
        for did in set(dids):
            for listener in list(self._listeners.get(did, ())):
                if (
                    changed is not None
                    and listener.keys is not None
                    and listener.keys.isdisjoint(changed)
                ):
                    continue
                try:
                    listener.update()
                except Exception:
                    if did in self._failing_listeners:
                        _LOGGER.debug("Updating an entity of %s failed again", did, exc_info=True)
                        continue
                    self._failing_listeners.add(did)
                    _LOGGER.exception("Updating an entity of %s failed", did)

    def _reported(self, key: PropKey, value: Any) -> Any:
        """A reported (pushed or read) value as it is kept: `None` (unknown) when it breaks the
        spec, with one warning per property until it reports a good value again."""
        did, siid, piid = key
        spec = self.specs.get(did)
        if spec is None or not spec.has_property(siid, piid):
            return value
        try:
            value = spec.property(siid, piid).check_reported(value)
        except MiotInvalidValueError as err:
            if key not in self._bad_values:
                self._bad_values.add(key)
                self.stats.error(f"reported value: {err}")
                _LOGGER.warning(
                    "%s reported a value its spec does not allow, shown as unknown: %s",
                    self.devices[did].name if did in self.devices else did,
                    err,
                )
            return None
        self._bad_values.discard(key)
        return value

    def home_names(self) -> dict[str, str]:
        """Home id → name, for the options form."""
        return {home.home_id: home.name for home in self.homes}

    def device_names(self, *, include_excluded: bool = False) -> dict[str, str]:
        """Did → name, for the options form."""
        source = self.all_devices if include_excluded else self.devices
        return {did: f"{dev.name} ({dev.model})" for did, dev in source.items()}

    def speaker_names(self) -> dict[str, str]:
        """Did → name of the Xiaoai speakers (devices that can run a text command)."""
        return {
            did: dev.name
            for did, dev in self.devices.items()
            if (spec := self.specs.get(did)) is not None
            and spec.find_action(SPEAKER_SERVICE, EXECUTE_TEXT) is not None
        }

    # ---------------------------------------------------------------- reading
    def entity_infos(self, did: str) -> list[MiotEntityInfo]:
        """The entities discovered for a device (computed once per spec and model)."""
        spec = self.specs.get(did)
        device = self.devices.get(did)
        if spec is None or device is None:
            return []
        cache_key = (id(spec), device.model)
        cached = self._infos.get(cache_key)
        if cached is None or cached[0] is not spec:
            cached = self._infos[cache_key] = (spec, discover_entities(spec, device.model))
        return cached[1]

    def predicted_keys(self, dids: Iterable[str]) -> list[PropKey]:
        """Readable properties of the entities that will be enabled (`_plan_entities`): their
        values are read before the entities are created."""
        dids = list(dids)
        self._plan_entities(dids)
        keys: dict[PropKey, None] = {}
        for did in dids:
            for info in self.entity_infos(did):
                if self._enabled.get((did, info.key), False):
                    for prop in info.props.values():
                        if prop.readable:
                            keys[(did, prop.siid, prop.iid)] = None
        return list(keys)

    def enabled_by_default(self, did: str, info: MiotEntityInfo) -> bool:
        """Whether a new entity is enabled when it is registered (`_plan_entities`)."""
        return self._enabled.get((did, info.key), info.enabled_default)

    def _plan_entities(self, dids: list[str]) -> None:
        """Decide which entities of these devices are enabled: those the registry has enabled,
        and new ones enabled by default (unless the entry disables new entities), main
        entities first, as long as Home Assistant's limit of enabled entities per entry
        allows; the rest are registered disabled, for the user to enable, and a repair issue
        says so."""
        registry = er.async_get(self.hass)
        enabled = self._enabled
        new_enabled = not self.entry.pref_disable_new_entities
        wanted: list[tuple[bool, str, MiotEntityInfo]] = []
        for did in dids:
            for info in self.entity_infos(did):
                entity_id = registry.async_get_entity_id(info.platform, DOMAIN, info.unique_id(did))
                if entity_id is not None:
                    enabled[(did, info.key)] = not registry.entities[entity_id].disabled
                elif info.enabled_default and new_enabled:
                    wanted.append((not info.main, did, info))
                else:
                    enabled[(did, info.key)] = False
        # Each new speaker also gets a notify entity (notify.py), enabled.
        speakers = sum(
            1
            for did in dids
            if (spec := self.specs.get(did)) is not None
            and spec.find_action(SPEAKER_SERVICE, PLAY_TEXT) is not None
            and registry.async_get_entity_id("notify", DOMAIN, f"{did}_notify") is None
        )
        room = (
            MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
            - registry.entities.get_enabled_count_for_config_entry_id(self.entry.entry_id)
            - speakers
        )
        wanted.sort(key=lambda item: item[0])  # main entities first, device order kept
        for index, (_, did, info) in enumerate(wanted):
            enabled[(did, info.key)] = index < room
        if len(wanted) <= room:
            return
        _LOGGER.warning(
            "Home Assistant allows %s enabled entities per integration entry: %s new entities "
            "of MIoT Connect are added disabled (enable the ones you need)",
            MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY,
            len(wanted) - max(room, 0),
        )
        self._issue(
            "entity_limit",
            "entity_limit",
            limit=str(MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY),
            count=str(len(wanted) - max(room, 0)),
        )

    @callback
    def _issue(
        self,
        issue_id: str,
        translation_key: str,
        severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
        **placeholders: str,
    ) -> None:
        """Raise a repair issue the user reads (none of them has a fix flow)."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=severity,
            translation_key=translation_key,
            translation_placeholders=placeholders or None,
        )

    def wanted_keys(self) -> list[PropKey]:
        """The properties that are read and kept current (something shows or uses them)."""
        return list(self._wanted)

    def _readable_keys(self, dids: Iterable[str]) -> list[PropKey]:
        """Every readable property of these devices (a refresh asked for by the user)."""
        keys: list[PropKey] = []
        for did in dids:
            spec = self.specs.get(did)
            if spec is None:
                continue
            keys.extend((did, prop.siid, prop.iid) for prop in spec.properties() if prop.readable)
        return keys

    def _wanted_of(self, dids: Iterable[str]) -> list[PropKey]:
        chosen = set(dids)
        return [key for key in self._wanted if key[0] in chosen]

    @callback
    def _want(self, keys: Iterable[PropKey]) -> None:
        """Count a user of these properties; read the readable ones not known yet."""
        for key in keys:
            if (count := self._wanted.get(key)) is not None:
                self._wanted[key] = count + 1
                continue
            did, siid, piid = key
            spec = self.specs.get(did)
            if spec is None or not spec.has_property(siid, piid):
                continue
            prop = spec.property(siid, piid)
            if not prop.readable:
                continue
            self._wanted[key] = 1
            if not prop.notifiable:
                self._unpushed.add(key)
            if key not in self._asked and key not in self._in_flight:
                self._queued.add(key)
        if self._queued and self._flush_handle is None and not self._closed:
            self._reads_idle.clear()
            self._flush_handle = self.hass.loop.call_soon(self._flush_queued)

    @callback
    def _unwant(self, keys: Iterable[PropKey]) -> None:
        for key in keys:
            count = self._wanted.get(key)
            if count is None:
                continue
            if count > 1:
                self._wanted[key] = count - 1
                continue
            del self._wanted[key]
            self._unpushed.discard(key)
            self._queued.discard(key)

    @callback
    def _flush_queued(self) -> None:
        """Read what listeners asked for since the last flush, in one batched read."""
        self._flush_handle = None
        keys = [
            key for key in self._queued if key not in self._asked and key not in self._in_flight
        ]
        self._queued.clear()
        if not keys or self._closed:
            self._reads_done()
            return
        self._in_flight.update(keys)

        async def read() -> None:
            try:
                await self._async_read_tracked(keys, "read")
            finally:
                self._in_flight.difference_update(keys)
                self._reads_done()

        self.entry.async_create_background_task(self.hass, read(), "miot_connect read")

    @callback
    def _reads_done(self) -> None:
        if not self._in_flight and not self._queued and self._flush_handle is None:
            self._reads_idle.set()

    @callback
    def _start_first_read(self, keys: list[PropKey]) -> None:
        """Start the first read: one batched cloud request, so that it is complete at once and
        no LAN timeout of an unreachable device holds setup up (the LAN takes over after it)."""
        self._in_flight.update(keys)
        self._reads_idle.clear()
        self._first_read = self.entry.async_create_background_task(
            self.hass, self._async_first_read(keys), "miot_connect first read"
        )

    async def _async_first_read(self, keys: list[PropKey]) -> MiotError | None:
        try:
            results = await self.client.get_properties(keys, at_once=True)
        except MiotError as err:
            if self._first_read_abandoned:
                # Setup went on without the values: this is an ordinary failed read now.
                self._read_failed("first read", err, auth=isinstance(err, MiotAuthError))
                if isinstance(err, MiotAuthError):
                    self.entry.async_start_reauth(self.hass)
            return err
        finally:
            self._in_flight.difference_update(keys)
            self._reads_done()
        self.async_apply_results(results)
        return None

    async def async_first_values(self) -> None:
        """Wait for the first read, at most `FIRST_VALUES_WAIT` (then the values follow when
        they come); raise the setup error when it failed."""
        task = self._first_read
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=FIRST_VALUES_WAIT)
        if not done:
            self._first_read_abandoned = True
            _LOGGER.info(
                "The first values did not come within %s s; entities are created now and "
                "show them when they come",
                int(FIRST_VALUES_WAIT),
            )
            return
        if (err := task.result()) is not None:
            raise _setup_error(err) from err

    async def async_wait_values(self) -> None:
        """Return when every property something uses has been read (benchmarks, tests)."""
        await self._reads_idle.wait()

    async def _async_read(self, keys: list[PropKey]) -> None:
        """Batched read; unchanged values do not wake entities."""
        if not keys:
            return
        self.async_apply_results(await self.device_api.get_properties(keys))

    @callback
    def _on_lan_token_error(self, did: str) -> None:
        """A device no longer takes its token on the LAN: the cloud's list has the new one."""
        if self._closed:
            return
        _LOGGER.info("%s: device token changed; reading the device list again", did)
        self.entry.async_create_background_task(
            self.hass, self.async_refresh_device_list(), "miot_connect token refresh"
        )

    @callback
    def async_apply_results(self, results: Iterable[PropertyResult]) -> None:
        """Take fresh values read from the cloud; unchanged values do not wake entities."""
        changed: set[PropKey] = set()
        for result in results:
            key = (result.did, result.siid, result.piid)
            self._asked.add(key)
            if not result.ok:
                continue
            self._generation[key] += 1
            value = self._reported(key, result.value)
            if self.values.get(key, _MISSING) != value:
                self.values[key] = value
                changed.add(key)
        self._notify({key[0] for key in changed}, changed)

    async def async_refresh_devices(self, dids: Iterable[str]) -> None:
        """Re-read every readable property of these devices now."""
        await self._async_read(self._readable_keys(dids))

    async def _async_poll(self, _now: datetime | None = None) -> None:
        """Poll what push does not cover (everything while push is down)."""
        if self._poll_lock.locked():
            return
        async with self._poll_lock:
            # Properties in use: with push up, those without push (and any never read yet).
            push_up = self.push_enabled and self.stats.push_connected
            keys = [
                key
                for key in self._wanted
                if not push_up or key in self._unpushed or key not in self._asked
            ]
            self.stats.polls += 1
            await self._async_read_tracked(keys, "poll")

    async def _async_read_tracked(self, keys: list[PropKey], what: str) -> None:
        """Read and keep the outage state: failures count, a success ends an outage."""
        try:
            await self._async_read(keys)
        except MiotAuthError as err:
            self._read_failed(what, err, auth=True)
            self.entry.async_start_reauth(self.hass)
        except MiotError as err:
            self._read_failed(what, err)
        else:
            if keys:
                self._read_succeeded()

    @callback
    def _read_failed(self, what: str, err: MiotError, *, auth: bool = False) -> None:
        stats = self.stats
        stats.failed_reads += 1
        stats.error(f"{what}: {err}")
        _LOGGER.debug("Reading from the cloud failed (%s): %s", what, err)
        if not auth and not self._closed and self._retry_unsub is None:
            # (A refused sign-in is not retried early: it needs the user, not a faster poll.)
            self._retry_unsub = async_call_later(self.hass, OUTAGE_RETRY, self._retry_read)
        if stats.outage_cause is not None:
            return
        if not auth and stats.failed_reads < OUTAGE_AFTER_FAILED_READS:
            return
        stats.outage_since = dt_util.utcnow()
        stats.outage_cause = _AUTH_CAUSE if auth else str(err)
        if auth:
            _LOGGER.warning(
                "The Xiaomi account refused the sign-in (%s); MIoT Connect entities are "
                "unavailable until you sign in again",
                err,
            )
        else:
            _LOGGER.warning(
                "The Xiaomi cloud cannot be reached (%s); entities are unavailable while push "
                "is down too; retrying every %s s",
                err,
                int(OUTAGE_RETRY.total_seconds()),
            )
            self._issue(
                "cloud_unreachable", "cloud_unreachable", ir.IssueSeverity.ERROR, error=str(err)
            )
        self._notify(self.devices)

    @callback
    def _read_succeeded(self) -> None:
        stats = self.stats
        stats.failed_reads = 0
        if self._retry_unsub is not None:
            self._retry_unsub()
            self._retry_unsub = None
        if stats.outage_cause is None or stats.outage_since is None:
            return
        _LOGGER.info(
            "The Xiaomi cloud answers again after %s; MIoT Connect entities are available",
            dt_util.utcnow() - stats.outage_since,
        )
        stats.outage_cause = None
        stats.outage_since = None
        ir.async_delete_issue(self.hass, DOMAIN, "cloud_unreachable")
        self._notify(self.devices)

    @callback
    def _retry_read(self, _now: datetime) -> None:
        self._retry_unsub = None
        if self._closed:
            return
        self.entry.async_create_background_task(self.hass, self._async_poll(), "miot_connect retry")

    # ---------------------------------------------------------------- writing
    def _cloud_error(self, err: MiotError, did: str, key: str, **placeholders: str) -> Exception:
        """A translated Home Assistant error for a failed cloud request."""
        if isinstance(err, MiotAuthError):
            self.entry.async_start_reauth(self.hass)
        if isinstance(err, MiotDeviceOfflineError):
            key, placeholders = "device_offline", {"device": self.devices[did].name}
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={**placeholders, "error": str(err)},
        )

    async def async_set_property(self, did: str, siid: int, piid: int, value: Any) -> None:
        """Write one property; the state changes only when the cloud accepted the value."""
        await self.async_set_properties(did, {(siid, piid): value})

    async def async_set_properties(self, did: str, values: dict[tuple[int, int], Any]) -> None:
        """Write properties of one device in one request, validated against the spec first.

        Only accepted values change the state; any refused one raises an error naming it.
        """
        spec = self.specs[did]
        items: list[tuple[str, int, int, Any]] = []
        for (siid, piid), value in values.items():
            prop = spec.property(siid, piid)
            try:
                items.append((did, siid, piid, prop.coerce(value)))
            except MiotInvalidValueError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="invalid_value",
                    translation_placeholders={"property": prop.name, "error": str(err)},
                ) from err
        names = ", ".join(spec.property(siid, piid).name for siid, piid in values)
        sent = {(siid, piid): self._generation[(did, siid, piid)] for siid, piid in values}
        try:
            results = await self.device_api.set_properties(items)
        except MiotError as err:
            raise self._cloud_error(err, did, "write_failed", property=names) from err
        written = {(did, siid, piid) for siid, piid in values}
        refused = [
            spec.property(siid, piid).name
            for (_, siid, piid, _), result in zip(items, results, strict=True)
            if not result.ok
        ]
        overtaken: list[PropKey] = []
        for (_, siid, piid, value), result in zip(items, results, strict=True):
            key = (did, siid, piid)
            if not result.ok:
                continue
            if self._generation[key] == sent[(siid, piid)]:
                self.values[key] = value
            elif self.values.get(key) != value:
                # Pushed or read while the write was on its way: which is newer cannot be
                # told from the order of arrival, so ask the cloud (never keep the write's).
                overtaken.append(key)
        if overtaken:
            self._reread_keys(overtaken)
        self._notify([did], written)
        if refused:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_failed",
                translation_placeholders={
                    "property": ", ".join(refused),
                    "error": "refused by the device",
                },
            )

    async def async_call_action(
        self, did: str, siid: int, aiid: int, in_values: list[Any] | None = None
    ) -> list[Any]:
        """Run a spec action; errors come back translated."""
        try:
            return await self.device_api.call_action(did, siid, aiid, in_values or [])
        except MiotError as err:
            raise self._cloud_error(err, did, "action_failed") from err

    # ------------------------------------------------------------------- push
    @callback
    def _on_push_property(self, change: PropertyChange) -> None:
        if change.did not in self.devices:
            return
        self.stats.pushed_properties += 1
        key = (change.did, change.siid, change.piid)
        self._generation[key] += 1
        value = self._reported(key, change.value)
        if self.values.get(key, _MISSING) == value:
            return
        self.values[key] = value
        self._notify([change.did], (key,))

    @callback
    def _on_push_event(self, event: EventOccurred) -> None:
        device = self.devices.get(event.did)
        if device is None:
            return
        self.stats.pushed_events += 1
        data = MiotEventData(event.did, event.siid, event.eiid, dict(event.arguments))
        for handler in list(self._event_listeners.get(event.did, ())):
            handler(data)
        spec = self.specs[event.did]
        spec_event = spec.event(event.siid, event.eiid)
        self.hass.bus.async_fire(
            EVENT_MIOT,
            {
                "did": event.did,
                "device_name": device.name,
                "siid": event.siid,
                "eiid": event.eiid,
                "event": spec_event.name if spec_event else None,
                "arguments": {
                    (
                        spec.property(event.siid, piid).name
                        if spec.has_property(event.siid, piid)
                        else str(piid)
                    ): value
                    for piid, value in event.arguments.items()
                },
            },
        )

    @callback
    def _on_push_state(self, change: DeviceStateChange) -> None:
        device = self.devices.get(change.did)
        if device is None or device.online == change.online:
            return
        device.online = change.online
        self._notify([change.did])
        if change.online:
            self._reread([change.did])

    @callback
    def _on_push_connection(self, connected: bool) -> None:
        was_connected = self.stats.push_connected
        self.stats.push_connected = connected
        if connected != was_connected and self.stats.outage_cause is not None:
            self._notify(self.devices)  # availability follows push during an outage
        if connected:
            gap = self.stats.push_down_since is not None
            self.stats.push_down_since = None
            if self._push_repair_unsub is not None:
                self._push_repair_unsub()
                self._push_repair_unsub = None
            ir.async_delete_issue(self.hass, DOMAIN, "push_disconnected")
            if gap:
                # Changes may have been missed while push was down: read everything again.
                self._reread(self.devices)
            return
        if was_connected or self.stats.push_down_since is None:
            self.stats.push_down_since = time.monotonic()
            if self._push_repair_unsub is None and not self._closed:
                self._push_repair_unsub = async_call_later(
                    self.hass, PUSH_DOWN_REPAIR_AFTER, self._raise_push_issue
                )

    @callback
    def _reread(self, dids: Iterable[str]) -> None:
        """Re-read what is used of these devices in the background (cancelled when the entry
        unloads)."""
        self._reread_keys(self._wanted_of(dids))

    @callback
    def _reread_keys(self, keys: list[PropKey]) -> None:
        """Re-read properties in the background (cancelled when the entry unloads)."""
        if self._closed or not keys:
            return

        async def reread() -> None:
            await self._async_read_tracked(keys, "re-read")

        self.entry.async_create_background_task(self.hass, reread(), "miot_connect re-read")

    @callback
    def _raise_push_issue(self, _now: datetime) -> None:
        self._push_repair_unsub = None
        self._issue("push_disconnected", "push_disconnected")

    # -------------------------------------------------------- dynamic devices
    async def _async_refresh_device_list(self, _now: datetime | None = None) -> None:
        try:
            await self.async_refresh_device_list()
        except MiotError as err:
            self.stats.error(f"device list: {err}")

    async def async_refresh_device_list(self) -> None:
        """Re-list the account: new devices appear; a device missing from the answer is kept
        unavailable and removed only when it has been missing for `DEVICE_MISSING_GRACE`."""
        listed = await self._async_list_devices()
        # Names, rooms and gateways may have changed.
        self.device_info_cache.clear()
        self.registry_devices.clear()
        now = dt_util.utcnow()
        added = [did for did in listed if did not in self.devices]
        back = [did for did in listed if self.missing_since.pop(did, None) is not None]
        gone = [did for did in self.devices if did not in listed]
        expired = []
        for did in gone:
            since = self.missing_since.get(did)
            if since is None:
                self.missing_since[did] = now
                self._schedule_recheck()
                _LOGGER.info(
                    "%s is missing from the cloud's device list; it is kept unavailable and "
                    "removed if still missing in %s",
                    self.devices[did].name,
                    DEVICE_MISSING_GRACE,
                )
            elif now - since >= DEVICE_MISSING_GRACE:
                expired.append(did)
        for did in back:
            _LOGGER.info("%s is listed by the cloud again", listed[did].name)
        names = {did: self.devices[did].name for did in expired}
        kept = {did: self.devices[did] for did in gone if did not in expired}
        self.devices = {**kept, **listed}
        await self.local.async_sync(listed.values())
        if added:
            await self._async_read(self.predicted_keys(added))
            if self.push_enabled and self.push is not None:
                await self.push.subscribe(added)
            async_dispatcher_send(self.hass, signal_new_devices(self.entry.entry_id), added)
        if back:
            self._reread(back)
        if expired:
            registry = dr.async_get(self.hass)
            for did in expired:
                _LOGGER.warning(
                    "%s has been missing from the cloud's device list for %s and is removed",
                    names[did],
                    DEVICE_MISSING_GRACE,
                )
                if device := registry.async_get_device_by_identifier(
                    (DOMAIN, did), self.entry.entry_id
                ):
                    registry.async_remove_device(device.id)
            await self.async_forget_devices(expired)
        # Online flags may have changed too.
        self._notify([*self.devices, *expired])

    @callback
    def _schedule_recheck(self) -> None:
        """List the devices again soon: one glitchy answer heals in `MISSING_RECHECK`."""
        if self._closed or self._recheck_unsub is not None:
            return

        @callback
        def recheck(_now: datetime) -> None:
            self._recheck_unsub = None
            if not self._closed:
                self.entry.async_create_background_task(
                    self.hass, self._async_refresh_device_list(), "miot_connect device recheck"
                )

        self._recheck_unsub = async_call_later(self.hass, MISSING_RECHECK, recheck)

    async def async_forget_devices(self, dids: list[str]) -> None:
        """Drop devices the account no longer has (after the grace period, or by the user)."""
        for did in dids:
            self.specs.pop(did, None)
            self.devices.pop(did, None)
            self.missing_since.pop(did, None)
            for key in [key for key in self.values if key[0] == did]:
                del self.values[key]
            self._asked.difference_update([key for key in self._asked if key[0] == did])
        if self.push_enabled and self.push is not None:
            await self.push.unsubscribe(dids)


def _setup_error(err: MiotError) -> Exception:
    """Setup's answer to a cloud error: sign in again, or retry later."""
    if isinstance(err, MiotAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key="cloud_unreachable",
        translation_placeholders={"error": str(err)},
    )


_MISSING = object()
_AUTH_CAUSE = "sign-in refused"
