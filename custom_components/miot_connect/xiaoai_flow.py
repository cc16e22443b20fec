"""Options-flow steps of Xiaoai listening: MiNA sign-in (password, captcha, code, passToken) and
the speakers to listen to.

The password goes to `MinaSignIn` (which hashes it at once) and is never stored; only the
credential is, in the entry's data, when the speakers step is saved.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
import probatio

from .const import CONF_XIAOAI, CONF_XIAOAI_LISTEN, CONF_XIAOAI_PREFIX, CONF_XIAOAI_ROUTE
from .mina import (
    Captcha,
    MinaAuthError,
    MinaCredential,
    MinaError,
    MinaRateLimitedError,
    MinaSignIn,
    MinaSignInError,
    SignInResult,
    SignInStep,
    TwoFactorMethod,
)
from .xiaoai import mina_endpoints, mina_session

_LOGGER = logging.getLogger(__name__)

CONF_XIAOAI_SETUP = "xiaoai_setup"
XIAOAI_OPTION_KEYS = (CONF_XIAOAI_LISTEN, CONF_XIAOAI_ROUTE, CONF_XIAOAI_PREFIX)

STEP_PASSWORD = "xiaoai_password"
STEP_TOKEN = "xiaoai_token"
STEP_SPEAKERS = "xiaoai_speakers"
STEP_SIGN_OUT = "xiaoai_sign_out"

CONF_USERNAME = "username"
CONF_PASSWORD = "password"
CONF_CAPTCHA = "captcha"
CONF_METHOD = "method"
CONF_CODE = "code"
CONF_COOKIE = "cookie"
CONF_USER_ID = "user_id"
CONF_PASS_TOKEN = "pass_token"


def xiaoai_options(options: Any) -> dict[str, Any]:
    """The Xiaoai part of an entry's options (kept when the main form is saved)."""
    return {key: options[key] for key in XIAOAI_OPTION_KEYS if key in options}


def _text(
    kind: selector.TextSelectorType = selector.TextSelectorType.TEXT,
) -> selector.TextSelector:
    return selector.TextSelector(selector.TextSelectorConfig(type=kind))


def captcha_markdown(captcha: Captcha) -> str:
    """The captcha image inline (a data: URL) for the form's description."""
    encoded = base64.b64encode(captcha.image).decode()
    return f"![captcha](data:{captcha.content_type or 'image/png'};base64,{encoded})"


class XiaoaiOptionsFlow(OptionsFlow):
    """The Xiaoai steps; the main options form (config_flow.py) leads here."""

    _xiaoai_base: dict[str, Any]
    _sign_in: MinaSignIn | None = None
    _credential: MinaCredential | None = None
    _captcha: Captcha | None = None
    _methods: tuple[TwoFactorMethod, ...] = ()

    async def async_step_xiaoai(self, base_options: dict[str, Any]) -> ConfigFlowResult:
        """Menu: sign in (password or passToken), choose speakers, or sign out."""
        self._xiaoai_base = base_options
        options = [STEP_PASSWORD, STEP_TOKEN]
        if self.config_entry.data.get(CONF_XIAOAI):
            options = [STEP_SPEAKERS, STEP_PASSWORD, STEP_TOKEN, STEP_SIGN_OUT]
        return self.async_show_menu(step_id="xiaoai", menu_options=options)

    def _flow(self) -> MinaSignIn:
        if self._sign_in is None:
            stored = self.config_entry.data.get(CONF_XIAOAI) or {}
            self._sign_in = MinaSignIn(
                mina_session(self.hass),
                mina_endpoints(self.config_entry.data),
                device_id=stored.get("device_id"),
            )
        return self._sign_in

    # ------------------------------------------------------------------ password
    async def async_step_xiaoai_password(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Account and password."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                result = await self._flow().start(
                    user_input[CONF_USERNAME], user_input[CONF_PASSWORD]
                )
            except MinaError as err:
                errors["base"] = _error_key(err)
            else:
                return await self._async_result(result)
        return self._password_form(errors)

    def _password_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=STEP_PASSWORD,
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_USERNAME): _text(),
                    probatio.Required(CONF_PASSWORD): _text(selector.TextSelectorType.PASSWORD),
                }
            ),
            errors=errors,
        )

    async def _async_result(self, result: SignInResult) -> ConfigFlowResult:
        """Next form from a sign-in answer."""
        if result.step is SignInStep.OK:
            self._credential = result.credential
            return await self.async_step_xiaoai_speakers()
        if result.step is SignInStep.CAPTCHA:
            self._captcha = result.captcha
            return self._captcha_form({"base": "wrong_captcha"} if result.retry else {})
        if result.step is SignInStep.TWO_FACTOR:
            if result.retry:
                return self._code_form({"base": "invalid_code"})
            self._methods = result.methods
            if len(result.methods) == 1:
                return await self._async_send_code(result.methods[0])
            return self._method_form({})
        if result.step is SignInStep.BLOCKED:
            return self._token_form({"base": "blocked"})
        return self._password_form({"base": "invalid_auth"})

    # ------------------------------------------------------------------ captcha
    async def async_step_xiaoai_captcha(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The text of the captcha image."""
        assert user_input is not None
        try:
            result = await self._flow().submit_captcha(user_input[CONF_CAPTCHA])
        except MinaError as err:
            return self._password_form({"base": _error_key(err)})
        return await self._async_result(result)

    def _captcha_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        assert self._captcha is not None
        return self.async_show_form(
            step_id="xiaoai_captcha",
            data_schema=probatio.Schema({probatio.Required(CONF_CAPTCHA): _text()}),
            description_placeholders={"captcha": captcha_markdown(self._captcha)},
            errors=errors,
        )

    # ------------------------------------------------------------------ two-factor
    async def async_step_xiaoai_method(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where to send the code: phone or e-mail."""
        assert user_input is not None
        return await self._async_send_code(TwoFactorMethod(user_input[CONF_METHOD]))

    def _method_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id="xiaoai_method",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_METHOD): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[str(method) for method in self._methods],
                            translation_key="xiaoai_method",
                        )
                    )
                }
            ),
            errors=errors,
        )

    async def _async_send_code(self, method: TwoFactorMethod) -> ConfigFlowResult:
        try:
            await self._flow().send_code(method)
        except MinaRateLimitedError:
            return self._method_form({"base": "rate_limited"})
        except MinaError as err:
            return self._password_form({"base": _error_key(err)})
        return self._code_form({})

    async def async_step_xiaoai_code(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The code sent by SMS or e-mail."""
        assert user_input is not None
        try:
            result = await self._flow().verify_code(user_input[CONF_CODE])
        except MinaError as err:
            return self._password_form({"base": _error_key(err)})
        return await self._async_result(result)

    def _code_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id="xiaoai_code",
            data_schema=probatio.Schema({probatio.Required(CONF_CODE): _text()}),
            errors=errors,
        )

    # ------------------------------------------------------------------ passToken
    async def async_step_xiaoai_token(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Cookie header, or userId and passToken, copied from a browser session."""
        errors: dict[str, str] = {}
        if user_input is not None:
            cookie = str(user_input.get(CONF_COOKIE) or "").strip()
            user_id = str(user_input.get(CONF_USER_ID) or "").strip()
            pass_token = str(user_input.get(CONF_PASS_TOKEN) or "").strip()
            try:
                if cookie:
                    credential = await self._flow().sign_in_with_cookie(cookie)
                elif user_id and pass_token:
                    credential = await self._flow().sign_in_with_pass_token(user_id, pass_token)
                else:
                    raise MinaAuthError("nothing pasted")
            except MinaAuthError:
                errors["base"] = "invalid_token"
            except MinaError as err:
                errors["base"] = _error_key(err)
            else:
                self._credential = credential
                return await self.async_step_xiaoai_speakers()
        return self._token_form(errors)

    def _token_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=STEP_TOKEN,
            data_schema=probatio.Schema(
                {
                    probatio.Optional(CONF_COOKIE): selector.TextSelector(
                        selector.TextSelectorConfig(multiline=True)
                    ),
                    probatio.Optional(CONF_USER_ID): _text(),
                    probatio.Optional(CONF_PASS_TOKEN): _text(selector.TextSelectorType.PASSWORD),
                }
            ),
            errors=errors,
        )

    # ------------------------------------------------------------------ speakers
    async def async_step_xiaoai_speakers(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which speakers to listen to, which of them route to Assist, and the wake prefix."""
        entry = self.config_entry
        if user_input is not None:
            saved = {
                **self._xiaoai_base,
                CONF_XIAOAI_LISTEN: list(user_input.get(CONF_XIAOAI_LISTEN, [])),
                CONF_XIAOAI_ROUTE: list(user_input.get(CONF_XIAOAI_ROUTE, [])),
                CONF_XIAOAI_PREFIX: str(user_input.get(CONF_XIAOAI_PREFIX) or "").strip(),
            }
            return self._async_save(saved, self._credential)
        runtime = getattr(entry, "runtime_data", None)
        speakers: dict[str, str] = runtime.coordinator.speaker_names() if runtime else {}
        options = entry.options
        for did in options.get(CONF_XIAOAI_LISTEN, []):
            speakers.setdefault(did, did)
        choices = [
            selector.SelectOptionDict(value=did, label=name) for did, name in speakers.items()
        ]

        def speaker_selector() -> selector.SelectSelector:
            return selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=choices, multiple=True, mode=selector.SelectSelectorMode.LIST
                )
            )

        return self.async_show_form(
            step_id=STEP_SPEAKERS,
            data_schema=probatio.Schema(
                {
                    probatio.Optional(
                        CONF_XIAOAI_LISTEN,
                        default=options.get(CONF_XIAOAI_LISTEN, list(speakers)),
                    ): speaker_selector(),
                    probatio.Optional(
                        CONF_XIAOAI_ROUTE, default=options.get(CONF_XIAOAI_ROUTE, [])
                    ): speaker_selector(),
                    probatio.Optional(
                        CONF_XIAOAI_PREFIX,
                        description={"suggested_value": options.get(CONF_XIAOAI_PREFIX)},
                    ): _text(),
                }
            ),
        )

    async def async_step_xiaoai_sign_out(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Forget the credential and stop listening."""
        self.hass.config_entries.async_update_entry(
            self.config_entry,
            data={k: v for k, v in self.config_entry.data.items() if k != CONF_XIAOAI},
        )
        self._credential = None
        options = {k: v for k, v in self._xiaoai_base.items() if k not in XIAOAI_OPTION_KEYS}
        return self._async_save(options, None, reload=True)

    def _async_save(
        self, options: dict[str, Any], credential: MinaCredential | None, *, reload: bool = False
    ) -> ConfigFlowResult:
        """Store the credential (if new) and the options; reload even when only the data changed."""
        entry = self.config_entry
        if credential is not None:
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_XIAOAI: credential.to_dict()}
            )
            reload = True
        if reload and options == dict(entry.options):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data=options)


def _error_key(err: MinaError) -> str:
    """The form error of a sign-in failure."""
    if isinstance(err, MinaRateLimitedError):
        return "rate_limited"
    if isinstance(err, MinaSignInError):
        _LOGGER.debug("Xiaoai sign-in refused: %s", err)
        return "sign_in_failed"
    if isinstance(err, MinaAuthError):
        return "invalid_token"
    _LOGGER.debug("Xiaoai sign-in failed: %s", err)
    return "cannot_connect"
