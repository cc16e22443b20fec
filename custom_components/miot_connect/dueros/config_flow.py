"""Set-up of the DuerOS bridge: a separate entry type, reached from the integration's first form.

The form shows the exact values to paste into the DuerOS console (service URL, authorize and
token URLs, client id); the user enters the skill's bot id and chooses what DuerOS sees.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
from homeassistant.helpers.network import NoURLAvailableError, get_url
import probatio

from .const import (
    CONF_BOT_ID,
    CONF_CLIENT_ID,
    CONF_ENTRY_TYPE,
    CONF_EXCLUDE,
    CONF_EXPOSE_ASSIST,
    CONF_INCLUDE,
    CONF_REPORT_URL,
    DEFAULT_CLIENT_ID,
    DEFAULT_REPORT_URL,
    ENTRY_TYPE_DUEROS,
    SERVICE_PATH,
    TEST_CLIENT_ID,
)

STEP_DUEROS = "dueros"
UNIQUE_ID = "dueros"


def _exposure_schema(options: dict[str, Any]) -> dict[probatio.Marker, Any]:
    entities = selector.EntitySelector(selector.EntitySelectorConfig(multiple=True))
    return {
        probatio.Required(
            CONF_EXPOSE_ASSIST, default=options.get(CONF_EXPOSE_ASSIST, True)
        ): selector.BooleanSelector(),
        probatio.Optional(CONF_INCLUDE, default=options.get(CONF_INCLUDE, [])): entities,
        probatio.Optional(CONF_EXCLUDE, default=options.get(CONF_EXCLUDE, [])): entities,
    }


def _exposure(user_input: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_EXPOSE_ASSIST: bool(user_input.get(CONF_EXPOSE_ASSIST, True)),
        CONF_INCLUDE: list(user_input.get(CONF_INCLUDE, [])),
        CONF_EXCLUDE: list(user_input.get(CONF_EXCLUDE, [])),
    }


class DuerOSFlowMixin(ConfigFlow):
    """The `dueros` step, mixed into the integration's config flow."""

    def _console_values(self) -> dict[str, str]:
        try:
            base = get_url(self.hass, prefer_external=True, allow_internal=False)
        except NoURLAvailableError:
            base = "https://<your Home Assistant address>"
        return {
            "service_url": base + SERVICE_PATH,
            "authorize_url": base + "/auth/authorize",
            "token_url": base + "/auth/token",
            "client_id": DEFAULT_CLIENT_ID,
        }

    async def async_step_dueros(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The skill's values and what DuerOS sees."""
        if any(
            entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_DUEROS
            for entry in self._async_current_entries(include_ignore=False)
        ):
            return self.async_abort(reason="dueros_configured")
        await self.async_set_unique_id(UNIQUE_ID)
        if user_input is not None and CONF_BOT_ID in user_input:
            return self.async_create_entry(
                title="DuerOS (Xiaodu)",
                data={
                    CONF_ENTRY_TYPE: ENTRY_TYPE_DUEROS,
                    CONF_BOT_ID: str(user_input[CONF_BOT_ID]).strip(),
                    CONF_CLIENT_ID: user_input[CONF_CLIENT_ID],
                    CONF_REPORT_URL: str(user_input[CONF_REPORT_URL]).rstrip("/"),
                },
                options=_exposure(user_input),
            )
        schema: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_BOT_ID): selector.TextSelector(),
            probatio.Required(CONF_CLIENT_ID, default=DEFAULT_CLIENT_ID): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[DEFAULT_CLIENT_ID, TEST_CLIENT_ID], custom_value=True
                )
            ),
            probatio.Required(CONF_REPORT_URL, default=DEFAULT_REPORT_URL): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
            **_exposure_schema({}),
        }
        return self.async_show_form(
            step_id=STEP_DUEROS,
            data_schema=probatio.Schema(schema),
            description_placeholders=self._console_values(),
        )


class DuerOSOptionsFlow(OptionsFlow):
    """Change what DuerOS sees; the bridge reloads and asks DuerOS to discover again."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Options start here; the form has its own step id (its own texts)."""
        return await self.async_step_dueros_exposure()

    async def async_step_dueros_exposure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form: Assist's exposure on or off, entities added and removed."""
        if user_input is not None:
            return self.async_create_entry(data=_exposure(user_input))
        return self.async_show_form(
            step_id="dueros_exposure",
            data_schema=probatio.Schema(_exposure_schema(dict(self.config_entry.options))),
        )
