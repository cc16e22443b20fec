"""Config flow: region and language, Xiaomi OAuth as an external step, then the homes to include."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any
import uuid

from homeassistant import data_entry_flow
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import probatio

from .api import AccountInfo, async_fetch_account, new_auth
from .const import (
    CONF_BASE_URL,
    CONF_CA_FILE,
    CONF_DEVICE_ID,
    CONF_EXCLUDED_DEVICES,
    CONF_HOMES,
    CONF_LAN_CLOUD_DEVICES,
    CONF_LAN_DIRECTORY,
    CONF_LAN_LOCAL_DEVICES,
    CONF_LAN_MODE,
    CONF_LANGUAGE,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_POLL_INTERVAL,
    CONF_PUSH,
    CONF_REDIRECT_URL,
    CONF_REGION,
    CONF_SYNC_AREAS,
    CONF_TOKEN,
    CONF_UID,
    CONF_VOICE_ALIASES,
    CONF_VOICE_SPEAKER,
    COUNTRY_REGIONS,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_REDIRECT_URL,
    DEFAULT_REGION,
    DOMAIN,
    LANGUAGES,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    OAUTH_CALLBACK_PATH,
    REGIONS,
    SECTION_LOCAL_CONTROL,
    default_language,
)
from .dueros import is_dueros_entry
from .dueros.config_flow import STEP_DUEROS, DuerOSFlowMixin, DuerOSOptionsFlow
from .miot import LAN_MODES, MiotAuthError, MiotError, OAuthToken, parse_redirect
from .oauth import (
    STATE_TTL,
    StateCheck,
    async_forget_flow,
    async_new_state,
    async_pop_received,
    async_take_state,
)
from .xiaoai_flow import CONF_XIAOAI_SETUP, XiaoaiOptionsFlow, xiaoai_options

_LOGGER = logging.getLogger(__name__)

CONF_REDIRECT_INPUT = "redirect"
SECTION_ENDPOINTS = "endpoints"
ENDPOINT_KEYS = (
    CONF_BASE_URL,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_CA_FILE,
    CONF_REDIRECT_URL,
    CONF_LAN_DIRECTORY,
)


def _region_selector() -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(REGIONS),
            translation_key="region",
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def _endpoint_section(
    defaults: Mapping[str, Any], *, collapsed: bool
) -> dict[probatio.Marker, Any]:
    """A section of fields that point the integration at other hosts (the simulator, a proxy)."""
    return {
        probatio.Required(SECTION_ENDPOINTS): data_entry_flow.section(
            probatio.Schema(_endpoint_fields(defaults)), {"collapsed": collapsed}
        )
    }


def _endpoint_fields(defaults: Mapping[str, Any]) -> dict[probatio.Marker, Any]:
    return {
        probatio.Optional(
            CONF_BASE_URL, description={"suggested_value": defaults.get(CONF_BASE_URL)}
        ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.URL)),
        probatio.Optional(
            CONF_MQTT_HOST, description={"suggested_value": defaults.get(CONF_MQTT_HOST)}
        ): selector.TextSelector(),
        probatio.Optional(
            CONF_MQTT_PORT, description={"suggested_value": defaults.get(CONF_MQTT_PORT)}
        ): selector.NumberSelector(
            selector.NumberSelectorConfig(min=1, max=65535, mode=selector.NumberSelectorMode.BOX)
        ),
        probatio.Optional(
            CONF_CA_FILE, description={"suggested_value": defaults.get(CONF_CA_FILE)}
        ): selector.TextSelector(),
        probatio.Optional(
            CONF_REDIRECT_URL,
            default=defaults.get(CONF_REDIRECT_URL, DEFAULT_REDIRECT_URL),
        ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.URL)),
        probatio.Optional(
            CONF_LAN_DIRECTORY, description={"suggested_value": defaults.get(CONF_LAN_DIRECTORY)}
        ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.URL)),
    }


def _redirect_base(config: Mapping[str, Any]) -> str:
    """The Home Assistant address Xiaomi sends the browser back to (without our path)."""
    return str(config.get(CONF_REDIRECT_URL, DEFAULT_REDIRECT_URL)).rstrip("/")


def _clean_endpoints(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the endpoint overrides that were filled in (from the endpoints section)."""
    cleaned: dict[str, Any] = {}
    section: Mapping[str, Any] = user_input.get(SECTION_ENDPOINTS) or {}
    for key in ENDPOINT_KEYS:
        value = section.get(key)
        if value in (None, ""):
            continue
        cleaned[key] = int(value) if key == CONF_MQTT_PORT else str(value).rstrip("/")
    return cleaned


class MiotConnectConfigFlow(DuerOSFlowMixin, ConfigFlow, domain=DOMAIN):
    """Set up one Xiaomi account."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._config: dict[str, Any] = {}
        self._token: OAuthToken | None = None
        self._account: AccountInfo | None = None
        self._error: str | None = None
        self._state: str | None = None

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConfigEntry,
    ) -> MiotConnectOptionsFlow | DuerOSOptionsFlow:
        """Options of an existing entry."""
        if is_dueros_entry(config_entry):
            return DuerOSOptionsFlow()
        return MiotConnectOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Region, language and (in a collapsed section) endpoint overrides."""
        errors: dict[str, str] = {}
        if user_input is not None and user_input.get(STEP_DUEROS):
            return await self.async_step_dueros()
        if user_input is not None:
            self._config = {
                CONF_REGION: user_input[CONF_REGION],
                CONF_LANGUAGE: user_input[CONF_LANGUAGE],
                CONF_DEVICE_ID: f"ha.{uuid.uuid4().hex}",
                **_clean_endpoints(user_input),
            }
            self._state = None
            return await self.async_step_auth()
        if self._error is not None:
            errors["base"] = self._error
            self._error = None
        country = (self.hass.config.country or "").upper()
        default_region = COUNTRY_REGIONS.get(country, DEFAULT_REGION)
        language = default_language(self.hass.config.language)
        defaults = {**self._config}
        schema: dict[probatio.Marker, Any] = {
            probatio.Required(
                CONF_REGION, default=defaults.get(CONF_REGION, default_region)
            ): _region_selector(),
            probatio.Required(
                CONF_LANGUAGE, default=defaults.get(CONF_LANGUAGE, language)
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(options=list(LANGUAGES), translation_key="language")
            ),
        }
        schema.update(_endpoint_section(defaults, collapsed=True))
        schema[probatio.Optional(STEP_DUEROS, default=False)] = selector.BooleanSelector()
        return self.async_show_form(
            step_id="user", data_schema=probatio.Schema(schema), errors=errors
        )

    async def async_step_auth(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The sign-in link and a field for the address the browser landed on (or the code).

        When the browser reaches our callback, the code waits there and an empty submit (or the
        frontend reloading the step) finishes; otherwise the pasted address is checked here.
        """
        errors: dict[str, str] = {}
        received = async_pop_received(self.hass, self.flow_id)
        if user_input is not None or received is not None:
            text = str((user_input or {}).get(CONF_REDIRECT_INPUT) or "")
            error = await self._async_sign_in(text, received)
            if error is None:
                return await self._async_authorized()
            if error == "no_homes" and self.source != SOURCE_REAUTH:
                self._error = error
                return await self.async_step_user()
            errors["base"] = error
        redirect_base = _redirect_base(self._config)
        if self._state is None:
            self._state = async_new_state(self.hass, self.flow_id)
        url = new_auth(self.hass, self._config).authorize_url(
            redirect_base + OAUTH_CALLBACK_PATH, self._state
        )
        return self.async_show_form(
            step_id="auth",
            data_schema=probatio.Schema(
                {probatio.Optional(CONF_REDIRECT_INPUT): selector.TextSelector()}
            ),
            errors=errors,
            description_placeholders={
                "authorize_url": url,
                "redirect_url": redirect_base,
                "minutes": str(int(STATE_TTL.total_seconds() // 60)),
            },
        )

    async def _async_sign_in(self, text: str, received: tuple[str, str] | None) -> str | None:
        """Check the code's state and exchange it; returns an error key or None."""
        if received is not None:
            # The callback view already checked and used up the state.
            code = received[0]
        else:
            if not text.strip():
                return "sign_in_first"
            parsed = parse_redirect(text)
            if not parsed.code:
                return "access_denied" if parsed.error else "invalid_redirect"
            # A bare code stands for this flow's current link.
            state = parsed.state if parsed.state is not None else self._state
            check = (
                StateCheck.UNKNOWN
                if state is None
                else async_take_state(self.hass, state, self.flow_id)
            )
            if check is StateCheck.EXPIRED:
                self._state = None
                return "state_expired"
            if check is not StateCheck.OK:
                return "state_mismatch"
            code = parsed.code
        # The state is used up: the next attempt gets a new link.
        self._state = None
        return await self._async_exchange(code)

    async def _async_exchange(self, code: str) -> str | None:
        """Exchange the code and check the account before anything is stored."""
        session = async_get_clientsession(self.hass)
        auth = new_auth(self.hass, self._config)
        try:
            self._token = await auth.exchange_code(
                code, _redirect_base(self._config) + OAUTH_CALLBACK_PATH
            )
            self._account = await async_fetch_account(self.hass, session, self._config, self._token)
        except MiotAuthError:
            return "invalid_auth"
        except MiotError as err:
            _LOGGER.debug("Cannot reach the Xiaomi cloud: %s", err)
            return "cannot_connect"
        if not self._account.homes:
            return "no_homes"
        return None

    async def _async_authorized(self) -> ConfigFlowResult:
        """Signed in: update the entry (reauth) or pick homes."""
        assert self._account is not None
        assert self._token is not None
        await self.async_set_unique_id(self._account.uid)
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self.async_update_reload_and_abort(
                self._get_reauth_entry(), data_updates={CONF_TOKEN: self._token.to_dict()}
            )
        self._abort_if_unique_id_configured()
        return await self.async_step_homes()

    async def async_step_homes(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the homes to include (default: all)."""
        assert self._account is not None
        assert self._token is not None
        homes = {home.home_id: home.name for home in self._account.homes}
        if user_input is not None:
            return self.async_create_entry(
                title=self._account.nickname or self._account.uid,
                data={
                    **self._config,
                    CONF_UID: self._account.uid,
                    CONF_TOKEN: self._token.to_dict(),
                },
                options={
                    CONF_HOMES: user_input[CONF_HOMES],
                    CONF_POLL_INTERVAL: DEFAULT_POLL_INTERVAL,
                    CONF_PUSH: True,
                    CONF_EXCLUDED_DEVICES: [],
                    CONF_SYNC_AREAS: True,
                },
            )
        return self.async_show_form(
            step_id="homes",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_HOMES, default=list(homes)): _homes_selector(homes)}
            ),
            description_placeholders={"account": self._account.nickname or self._account.uid},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The refresh token no longer works: authorize the same account again."""
        self._config = {
            key: value for key, value in entry_data.items() if key not in (CONF_TOKEN, CONF_UID)
        }
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before sending the user to Xiaomi again (same sign-in step as the first time)."""
        if user_input is not None:
            self._state = None
            return await self.async_step_auth()
        return self.async_show_form(step_id="reauth_confirm")

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the region or the endpoints of an existing account."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            data = {
                key: value
                for key, value in entry.data.items()
                if key not in (*ENDPOINT_KEYS, CONF_REGION)
            }
            data[CONF_REGION] = user_input[CONF_REGION]
            data.update(_clean_endpoints(user_input))
            return self.async_update_reload_and_abort(entry, data=data)
        schema: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_REGION, default=entry.data[CONF_REGION]): _region_selector()
        }
        schema.update(_endpoint_section(entry.data, collapsed=False))
        assert self.source == SOURCE_RECONFIGURE
        return self.async_show_form(step_id="reconfigure", data_schema=probatio.Schema(schema))

    @callback
    def async_remove(self) -> None:
        """Forget this flow's pending authorization."""
        async_forget_flow(self.hass, self.flow_id)


def _local_control_schema(
    current: Mapping[str, Any], devices: Mapping[str, str]
) -> probatio.Schema:
    """Local control: the mode for every device, and devices kept on one path."""
    device_options = [
        selector.SelectOptionDict(value=did, label=name) for did, name in devices.items()
    ]
    return probatio.Schema(
        {
            # Optional: the frontend leaves a collapsed section's defaults out of what it sends.
            probatio.Optional(
                CONF_LAN_MODE, default=current.get(CONF_LAN_MODE, "auto")
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(options=list(LAN_MODES), translation_key="lan_mode")
            ),
            probatio.Optional(
                CONF_LAN_CLOUD_DEVICES, default=list(current.get(CONF_LAN_CLOUD_DEVICES, []))
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=device_options, multiple=True, custom_value=True
                )
            ),
            probatio.Optional(
                CONF_LAN_LOCAL_DEVICES, default=list(current.get(CONF_LAN_LOCAL_DEVICES, []))
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=device_options, multiple=True, custom_value=True
                )
            ),
        }
    )


def _homes_selector(homes: Mapping[str, str]) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[
                selector.SelectOptionDict(value=key, label=name) for key, name in homes.items()
            ],
            multiple=True,
            mode=selector.SelectSelectorMode.LIST,
        )
    )


class MiotConnectOptionsFlow(XiaoaiOptionsFlow):
    """Homes, polling, push, excluded devices and area sync; a change reloads the entry.

    Ticking "Xiaoai listening" continues with the steps of xiaoai_flow.py.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form with every option."""
        entry = self.config_entry
        if user_input is not None:
            saved = {**xiaoai_options(entry.options), **user_input}
            if saved.pop(CONF_XIAOAI_SETUP, False):
                return await self.async_step_xiaoai(saved)
            return self.async_create_entry(data=saved)
        runtime = getattr(entry, "runtime_data", None)
        homes: dict[str, str] = {}
        devices: dict[str, str] = {}
        speakers: dict[str, str] = {}
        if runtime is not None:
            homes = runtime.coordinator.home_names()
            devices = runtime.coordinator.device_names(include_excluded=True)
            speakers = runtime.coordinator.speaker_names()
        for home_id in entry.options.get(CONF_HOMES, []):
            homes.setdefault(home_id, home_id)
        options = entry.options
        schema = probatio.Schema(
            {
                probatio.Required(CONF_HOMES, default=options.get(CONF_HOMES, list(homes))): (
                    _homes_selector(homes)
                ),
                probatio.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=MIN_POLL_INTERVAL,
                        max=MAX_POLL_INTERVAL,
                        unit_of_measurement="s",
                        mode=selector.NumberSelectorMode.BOX,
                    )
                ),
                probatio.Required(CONF_PUSH, default=options.get(CONF_PUSH, True)): bool,
                probatio.Optional(
                    CONF_EXCLUDED_DEVICES, default=options.get(CONF_EXCLUDED_DEVICES, [])
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=did, label=name)
                            for did, name in devices.items()
                        ],
                        multiple=True,
                        custom_value=True,
                    )
                ),
                probatio.Required(
                    CONF_SYNC_AREAS, default=options.get(CONF_SYNC_AREAS, True)
                ): bool,
                probatio.Required(
                    CONF_VOICE_ALIASES, default=options.get(CONF_VOICE_ALIASES, True)
                ): bool,
                probatio.Optional(SECTION_LOCAL_CONTROL, default={}): data_entry_flow.section(
                    _local_control_schema(options.get(SECTION_LOCAL_CONTROL) or {}, devices),
                    {"collapsed": True},
                ),
            }
        )
        if speakers:
            schema = schema.extend(
                {
                    probatio.Optional(
                        CONF_VOICE_SPEAKER,
                        description={"suggested_value": options.get(CONF_VOICE_SPEAKER)},
                    ): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[
                                selector.SelectOptionDict(value=did, label=name)
                                for did, name in speakers.items()
                            ],
                            mode=selector.SelectSelectorMode.DROPDOWN,
                        )
                    ),
                    probatio.Optional(CONF_XIAOAI_SETUP, default=False): bool,
                }
            )
        return self.async_show_form(step_id="init", data_schema=schema)
