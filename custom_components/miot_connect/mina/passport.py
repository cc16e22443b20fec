"""Xiaomi account sign-in for sid `micoapi`: a state machine a config flow drives step by step.

`MinaSignIn.start(user, password)` answers with a `SignInResult`: OK (with a `MinaCredential`),
CAPTCHA (an image to solve, then `submit_captcha`), TWO_FACTOR (methods; `send_code`, then
`verify_code`), BLOCKED (use `sign_in_with_pass_token` / `sign_in_with_cookie`) or WRONG_PASSWORD.
The password is hashed at once; the hash is kept only while a captcha may still be asked for.
Cookies of a flow live in the flow (per host), never in the injected session's cookie jar.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
import hashlib
import json
import logging
import secrets
import string
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import aiohttp
from yarl import URL

from .const import (
    CODE_BAD_CREDENTIALS,
    CODE_BANNED,
    CODE_NEEDS_VERIFY,
    CODE_TOO_MANY_TICKETS,
    CODE_UNKNOWN_USER,
    CODE_WRONG_PASSWORD,
    CODE_WRONG_TICKET,
    DEFAULT_TIMEOUT,
    FLAG_EMAIL,
    FLAG_PHONE,
    JSON_PREFIX,
    SDK_VERSION,
    SID,
    USER_AGENT_ACCOUNT,
    MinaEndpoints,
    async_ssl_context,
)
from .errors import (
    MinaAuthError,
    MinaCloudUnavailableError,
    MinaError,
    MinaFlowError,
    MinaRateLimitedError,
    MinaSignInError,
    MinaTimeoutError,
)
from .models import MinaCredential

_LOGGER = logging.getLogger(__name__)

MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)
_DEVICE_ID_CHARS = string.ascii_uppercase + string.digits


def new_device_id() -> str:
    """16 random upper-case letters and digits: this installation's `deviceId` cookie."""
    return "".join(secrets.choice(_DEVICE_ID_CHARS) for _ in range(16))


def password_hash(password: str) -> str:
    """What `serviceLoginAuth2` takes instead of the password: upper-case hex MD5."""
    return hashlib.md5(password.encode()).hexdigest().upper()


def client_sign(nonce: str, ssecurity: str) -> str:
    """`clientSign` of the STS request: base64 of sha1("nonce=<nonce>&<ssecurity>")."""
    digest = hashlib.sha1(f"nonce={nonce}&{ssecurity}".encode()).digest()
    return base64.b64encode(digest).decode()


def parse_account_json(text: str) -> Any:
    """An account-service answer: strip the `&&&START&&&` prefix, then parse the JSON."""
    text = text.strip()
    text = text.removeprefix(JSON_PREFIX)
    return json.loads(text) if text else {}


def parse_cookie(text: str) -> dict[str, str]:
    """`name=value; name=value` (a browser's Cookie header) as a dict."""
    cookies: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip():
            cookies[name.strip()] = value.strip().strip('"')
    return cookies


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except TypeError, ValueError:
        return None


def _now_ms() -> str:
    return str(int(time.time() * 1000))


# ----------------------------------------------------------------------------- results
class SignInStep(StrEnum):
    """Outcome of a sign-in step."""

    OK = "ok"
    CAPTCHA = "captcha"
    TWO_FACTOR = "two_factor"
    BLOCKED = "blocked"
    WRONG_PASSWORD = "wrong_password"


class TwoFactorMethod(StrEnum):
    """Where the account service sends a verification code (identity flag 4 / 8)."""

    PHONE = "phone"
    EMAIL = "email"


_FLAGS: dict[TwoFactorMethod, int] = {
    TwoFactorMethod.PHONE: FLAG_PHONE,
    TwoFactorMethod.EMAIL: FLAG_EMAIL,
}
_PATH_NAMES: dict[TwoFactorMethod, str] = {
    TwoFactorMethod.PHONE: "Phone",
    TwoFactorMethod.EMAIL: "Email",
}


@dataclass(slots=True, frozen=True)
class Captcha:
    """A captcha to show: the image bytes and their content type."""

    image: bytes = field(repr=False)
    content_type: str
    url: str


@dataclass(slots=True, frozen=True)
class SignInResult:
    """What a step produced; `retry` means the captcha text or code just sent was wrong."""

    step: SignInStep
    credential: MinaCredential | None = None
    captcha: Captcha | None = None
    methods: tuple[TwoFactorMethod, ...] = ()
    retry: bool = False
    code: int | None = None


# ----------------------------------------------------------------------------- transport
@dataclass(slots=True)
class _Reply:
    status: int
    body: bytes
    content_type: str
    cookies: dict[str, str]

    def json(self, what: str) -> dict[str, Any]:
        try:
            answer = parse_account_json(self.body.decode("utf-8", "replace"))
        except ValueError:
            raise MinaCloudUnavailableError(f"{what}: malformed answer") from None
        if not isinstance(answer, dict):
            raise MinaCloudUnavailableError(f"{what}: malformed answer")
        return answer


class _StsRefusedError(MinaError):
    """The STS hop answered without a serviceToken (HTTP 401: the service refused the session)."""


class _Passport:
    """HTTP to the account service with a per-flow cookie store (keyed by origin)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: MinaEndpoints,
        device_id: str,
        timeout: float,
    ) -> None:
        self.session = session
        self.endpoints = endpoints
        self.device_id = device_id
        self.timeout = timeout
        self.jar: dict[str, dict[str, str]] = {}
        account = str(URL(endpoints.account_url).origin())
        self.jar[account] = {"sdkVersion": SDK_VERSION, "deviceId": device_id}

    def account(self, path: str) -> str:
        return f"{self.endpoints.account_url}{path}"

    def absolute(self, url: str) -> str:
        return str(URL(self.endpoints.account_url).join(URL(url)))

    async def request(
        self,
        method: str,
        url: str,
        what: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> _Reply:
        """Send and follow redirects; every hop's Set-Cookie lands in the jar of its origin."""
        ssl = await async_ssl_context(self.endpoints.ca_file)
        target = URL(url)
        seen: dict[str, str] = {}
        try:
            for _ in range(MAX_REDIRECTS):
                origin = str(target.origin())
                sent = {**self.jar.get(origin, {}), **(cookies or {})}
                headers = {"User-Agent": USER_AGENT_ACCOUNT}
                if sent:
                    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in sent.items())
                async with self.session.request(
                    method,
                    target,
                    params=params,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                    ssl=ssl,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response:
                    body = await response.read()
                    set_cookies = {name: morsel.value for name, morsel in response.cookies.items()}
                    location = response.headers.get("Location")
                    status = response.status
                    content_type = response.content_type
                self.jar.setdefault(origin, {}).update(set_cookies)
                seen.update(set_cookies)
                if status not in _REDIRECTS or not location:
                    break
                target = target.join(URL(location))
                method, params, data, cookies = "GET", None, None, None
            else:
                raise MinaCloudUnavailableError(f"{what}: too many redirects")
        except TimeoutError:
            raise MinaTimeoutError(f"{what}: timed out") from None
        except aiohttp.ClientError as err:
            raise MinaCloudUnavailableError(f"{what}: {type(err).__name__}") from None
        if status == 429:
            raise MinaRateLimitedError(f"{what}: rate limited (HTTP 429)")
        if status >= 500:
            raise MinaCloudUnavailableError(f"{what}: server error (HTTP {status})")
        return _Reply(status, body, content_type, seen)

    async def service_login(self, cookies: dict[str, str] | None = None) -> dict[str, Any]:
        """`GET /pass/serviceLogin?sid=micoapi&_json=true`."""
        reply = await self.request(
            "GET",
            self.account("/pass/serviceLogin"),
            "serviceLogin",
            params={"sid": SID, "_json": "true"},
            cookies=cookies,
        )
        return reply.json("serviceLogin")

    async def finish(self, answer: dict[str, Any], user_id: str | None = None) -> MinaCredential:
        """Follow `location` with `clientSign`; the STS hop sets the serviceToken cookie."""
        nonce, ssecurity = str(answer.get("nonce", "")), str(answer.get("ssecurity", ""))
        location = str(answer["location"])
        separator = "&" if "?" in location else "?"
        url = f"{location}{separator}clientSign={quote(client_sign(nonce, ssecurity))}"
        reply = await self.request("GET", self.absolute(url), "STS")
        service_token = reply.cookies.get("serviceToken")
        if not service_token:
            if reply.status in (401, 403):
                raise _StsRefusedError("STS refused the session")
            raise MinaSignInError(-1, f"STS: no serviceToken (HTTP {reply.status})")
        account_cookies = self.jar.get(str(URL(self.endpoints.account_url).origin()), {})
        pass_token = str(answer.get("passToken") or account_cookies.get("passToken") or "")
        if not pass_token:
            raise MinaSignInError(-1, "sign-in answer without passToken")
        return MinaCredential(
            user_id=str(answer.get("userId") or user_id or ""),
            pass_token=pass_token,
            service_token=service_token,
            ssecurity=ssecurity,
            device_id=self.device_id,
        )


def _signed_in(answer: dict[str, Any]) -> bool:
    """A serviceLogin/serviceLoginAuth2 answer that carries a session."""
    return (
        _int(answer.get("code")) == 0
        and bool(answer.get("location"))
        and bool(answer.get("ssecurity"))
        and "nonce" in answer
    )


async def _pass_token_sign_in(passport: _Passport, user_id: str, pass_token: str) -> MinaCredential:
    answer = await passport.service_login({"userId": user_id, "passToken": pass_token})
    if not _signed_in(answer):
        raise MinaAuthError(f"passToken refused (code {_int(answer.get('code'))})")
    answer.setdefault("passToken", pass_token)
    try:
        return await passport.finish(answer, user_id)
    except _StsRefusedError:
        raise MinaAuthError("service token refused for this passToken") from None


async def renew_credential(
    session: aiohttp.ClientSession,
    endpoints: MinaEndpoints,
    credential: MinaCredential,
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> MinaCredential:
    """A new serviceToken from the stored passToken (raises `MinaAuthError` when refused)."""
    passport = _Passport(session, endpoints, credential.device_id, request_timeout)
    fresh = await _pass_token_sign_in(passport, credential.user_id, credential.pass_token)
    _LOGGER.debug("MiNA service token renewed for user %s", credential.user_id)
    return credential.renewed(fresh.service_token, fresh.ssecurity, fresh.pass_token)


# ----------------------------------------------------------------------------- state machine
class MinaSignIn:
    """One sign-in, step by step. Keep the object between config-flow steps; it holds no password.

    After a final result (OK, BLOCKED, WRONG_PASSWORD) every cookie and hash is dropped.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: MinaEndpoints,
        *,
        device_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Nothing is fetched here."""
        self.session = session
        self.endpoints = endpoints
        self.device_id = device_id or new_device_id()
        self.timeout = timeout
        self._passport = self._new_passport()
        self._step: SignInStep | None = None
        self._user = ""
        self._hash = ""
        self._form: dict[str, str] = {}
        self._methods: tuple[TwoFactorMethod, ...] = ()
        self._method: TwoFactorMethod | None = None
        self._context = ""

    def __repr__(self) -> str:
        """No secrets (there is no password, only the step)."""
        return f"MinaSignIn(step={self._step}, device_id={self.device_id!r})"

    @property
    def step(self) -> SignInStep | None:
        """The pending step (CAPTCHA or TWO_FACTOR), or None."""
        return self._step

    def _new_passport(self) -> _Passport:
        return _Passport(self.session, self.endpoints, self.device_id, self.timeout)

    def reset(self) -> None:
        """Forget the flow: cookies, the password hash, captcha and verification state."""
        self._passport = self._new_passport()
        self._step = None
        self._user = self._hash = self._context = ""
        self._form = {}
        self._methods = ()
        self._method = None

    def _final(self, result: SignInResult) -> SignInResult:
        self.reset()
        _LOGGER.debug("MiNA sign-in finished: %s", result.step)
        return result

    def _require(self, step: SignInStep) -> None:
        if self._step is not step:
            raise MinaFlowError(f"sign-in is not waiting for {step} (state {self._step})")

    # ------------------------------------------------------------------ password
    async def start(self, user: str, password: str) -> SignInResult:
        """Sign in with the account (e-mail, phone or id) and password."""
        self.reset()
        self._user, self._hash = user.strip(), password_hash(password)
        try:
            answer = await self._passport.service_login()
            if not answer.get("_sign"):
                raise MinaSignInError(_int(answer.get("code")) or -1, "serviceLogin: no _sign")
            self._form = {
                key: str(answer.get(key) or "") for key in ("qs", "sid", "_sign", "callback")
            }
            self._form["sid"] = self._form["sid"] or SID
            return await self._auth2(None)
        except BaseException:
            self.reset()
            raise

    async def submit_captcha(self, text: str) -> SignInResult:
        """Send the captcha text together with the password hash again."""
        self._require(SignInStep.CAPTCHA)
        try:
            return await self._auth2(text.strip())
        except BaseException:
            self.reset()
            raise

    async def _auth2(self, captcha: str | None) -> SignInResult:
        data = {"_json": "true", **self._form, "user": self._user, "hash": self._hash}
        params = {"_json": "true"}
        if captcha is not None:
            data["captCode"] = captcha
            params["_dc"] = _now_ms()
        reply = await self._passport.request(
            "POST",
            self._passport.account("/pass/serviceLoginAuth2"),
            "serviceLoginAuth2",
            params=params,
            data=data,
        )
        answer = reply.json("serviceLoginAuth2")
        code = _int(answer.get("code"))
        if notification := answer.get("notificationUrl"):
            return await self._two_factor(str(notification))
        if _signed_in(answer):
            return await self._finish(answer)
        if captcha_url := answer.get("captchaUrl"):
            return await self._captcha(str(captcha_url), retry=captcha is not None, code=code)
        if code in (CODE_WRONG_PASSWORD, CODE_BAD_CREDENTIALS, CODE_UNKNOWN_USER):
            return self._final(SignInResult(SignInStep.WRONG_PASSWORD, code=code))
        if code in (CODE_BANNED, CODE_NEEDS_VERIFY):
            return self._final(SignInResult(SignInStep.BLOCKED, code=code))
        raise MinaSignInError(-1 if code is None else code, f"serviceLoginAuth2: code {code}")

    async def _finish(self, answer: dict[str, Any]) -> SignInResult:
        try:
            credential = await self._passport.finish(answer)
        except _StsRefusedError:
            return self._final(SignInResult(SignInStep.BLOCKED))
        return self._final(SignInResult(SignInStep.OK, credential=credential))

    async def _captcha(self, url: str, *, retry: bool, code: int | None) -> SignInResult:
        absolute = self._passport.absolute(url)
        reply = await self._passport.request("GET", absolute, "captcha")
        if reply.status != 200 or not reply.body or "ick" not in reply.cookies:
            raise MinaSignInError(-1, f"captcha: no image (HTTP {reply.status})")
        self._step = SignInStep.CAPTCHA
        captcha = Captcha(reply.body, reply.content_type, absolute)
        return SignInResult(SignInStep.CAPTCHA, captcha=captcha, retry=retry, code=code)

    # ------------------------------------------------------------------ two-factor
    async def _two_factor(self, notification_url: str) -> SignInResult:
        url = self._passport.absolute(notification_url)
        self._hash = ""  # verification ends with a passToken; the hash is no longer needed
        self._context = parse_qs(urlsplit(url).query).get("context", [""])[0]
        await self._passport.request("GET", url, "identity authStart")
        reply = await self._passport.request(
            "GET",
            self._passport.account("/identity/list"),
            "identity/list",
            params={
                "sid": self._form.get("sid") or SID,
                "supportedMask": "0",
                "_locale": "en_US",
                "context": self._context,
            },
        )
        answer = reply.json("identity/list")
        options = answer.get("options")
        flags = [_int(item) for item in options] if isinstance(options, list) else []
        if not flags:
            flags = [_int(answer.get("flag"))]
        methods = tuple(method for method, flag in _FLAGS.items() if flag in flags)
        if not methods:
            return self._final(SignInResult(SignInStep.BLOCKED, code=_int(answer.get("code"))))
        self._step, self._methods = SignInStep.TWO_FACTOR, methods
        return SignInResult(SignInStep.TWO_FACTOR, methods=methods)

    async def send_code(self, method: TwoFactorMethod | str) -> None:
        """Have the account service send a code by SMS or e-mail."""
        self._require(SignInStep.TWO_FACTOR)
        method = TwoFactorMethod(method)
        if method not in self._methods:
            raise MinaFlowError(f"{method} is not offered for this account")
        name, flag = _PATH_NAMES[method], str(_FLAGS[method])
        reply = await self._passport.request(
            "GET",
            self._passport.account(f"/identity/auth/verify{name}"),
            f"verify{name}",
            params={"_flag": flag, "_json": "true"},
        )
        self._check_ticket_answer(reply.json(f"verify{name}"), f"verify{name}")
        reply = await self._passport.request(
            "POST",
            self._passport.account(f"/identity/auth/send{name}Ticket"),
            f"send{name}Ticket",
            params={
                "_dc": _now_ms(),
                "sid": self._form.get("sid") or SID,
                "context": self._context,
                "mask": "0",
                "_locale": "en_US",
            },
            data={"retry": "0", "icode": "", "_json": "true"},
        )
        self._check_ticket_answer(reply.json(f"send{name}Ticket"), f"send{name}Ticket")
        self._method = method
        _LOGGER.debug("MiNA sign-in: verification code sent by %s", method)

    @staticmethod
    def _check_ticket_answer(answer: dict[str, Any], what: str) -> None:
        code = _int(answer.get("code"))
        if code in (0, None):
            return
        if code == CODE_TOO_MANY_TICKETS:
            raise MinaRateLimitedError(f"{what}: too many codes sent, try again later")
        raise MinaSignInError(code, f"{what}: code {code}")

    async def verify_code(self, code: str) -> SignInResult:
        """Check the code the user received; on success the sign-in completes."""
        self._require(SignInStep.TWO_FACTOR)
        method = self._method or self._methods[0]
        name, flag = _PATH_NAMES[method], str(_FLAGS[method])
        try:
            reply = await self._passport.request(
                "POST",
                self._passport.account(f"/identity/auth/verify{name}"),
                f"verify{name}",
                params={"_dc": _now_ms()},
                data={"_flag": flag, "ticket": code.strip(), "trust": "false", "_json": "true"},
            )
            answer = reply.json(f"verify{name}")
            result = _int(answer.get("code"))
            if result == CODE_WRONG_TICKET:
                return SignInResult(SignInStep.TWO_FACTOR, methods=self._methods, retry=True)
            if result != 0 or not answer.get("location"):
                raise MinaSignInError(-1 if result is None else result, f"verify{name}: refused")
            await self._passport.request(
                "GET", self._passport.absolute(str(answer["location"])), "verification result"
            )
            login = await self._passport.service_login()
            if not _signed_in(login):
                raise MinaSignInError(
                    _int(login.get("code")) or -1, "serviceLogin after verification: no session"
                )
            return await self._finish(login)
        except BaseException:
            self.reset()
            raise

    # ------------------------------------------------------------------ passToken
    async def sign_in_with_pass_token(self, user_id: str, pass_token: str) -> MinaCredential:
        """Sign in with a passToken copied from a browser session (when password sign-in is
        blocked); raises `MinaAuthError` when the service refuses it."""
        self.reset()
        try:
            return await _pass_token_sign_in(self._passport, user_id.strip(), pass_token.strip())
        finally:
            self.reset()

    async def sign_in_with_cookie(self, cookie: str) -> MinaCredential:
        """`sign_in_with_pass_token` from a pasted Cookie header holding userId and passToken."""
        cookies = parse_cookie(cookie)
        user_id, pass_token = cookies.get("userId", ""), cookies.get("passToken", "")
        if not user_id or not pass_token:
            raise MinaAuthError("the cookie must hold userId and passToken")
        return await self.sign_in_with_pass_token(user_id, pass_token)
