"""Twin of the Xiaomi account service's password sign-in (sid `micoapi`) and its STS hop.

Test accounts choose the branch: `ok`, `captcha`, `sms`, `email`, `both` (SMS and e-mail),
`blocked` (code 350008), `no_method` (verification offers no usable method) and `sts_blocked`
(the STS hop refuses a password sign-in; a passToken sign-in still works).
Field names, paths and codes follow docs/mina.md; codes the real service was not seen to send
are marked "twin" there.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
import hashlib
import json
import secrets
import time
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from .spec import JsonDict

PREFIX: Final = "&&&START&&&"
MODES: Final = ("ok", "captcha", "sms", "email", "both", "blocked", "no_method", "sts_blocked")
DEFAULT_PASSWORD: Final = "demo-password"
MAX_TICKETS: Final = 5
"""Verification codes a context may send before the service answers 70022."""

CODE_WRONG_PASSWORD: Final = 70016
CODE_WRONG_CAPTCHA: Final = 87001
CODE_BANNED: Final = 350008
CODE_WRONG_TICKET: Final = 70014
CODE_TOO_MANY_TICKETS: Final = 70022
CODE_NO_SESSION: Final = -1  # twin: the real code for a missing identity session is unknown

FLAGS: Final = {"phone": 4, "email": 8}
_MODE_METHODS: Final[dict[str, tuple[str, ...]]] = {
    "sms": ("phone",),
    "email": ("email",),
    "both": ("phone", "email"),
    "no_method": (),
}
# 1x1 transparent PNG: the captcha "image".
CAPTCHA_PNG: Final = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def password_hash(password: str) -> str:
    """Upper-case hex MD5, as `serviceLoginAuth2` receives it."""
    return hashlib.md5(password.encode()).hexdigest().upper()


def client_sign(nonce: str, ssecurity: str) -> str:
    """base64(sha1("nonce=<nonce>&<ssecurity>"))."""
    return base64.b64encode(hashlib.sha1(f"nonce={nonce}&{ssecurity}".encode()).digest()).decode()


@dataclass(slots=True)
class PassportAccount:
    """A test account; `mode` picks the sign-in branch."""

    user: str
    password: str
    user_id: int
    mode: str = "ok"

    def to_json(self) -> JsonDict:
        """Without the password."""
        return {"user": self.user, "user_id": self.user_id, "mode": self.mode}


@dataclass(slots=True)
class _Ticket:
    user_id: int
    nonce: str
    ssecurity: str
    refuse: bool = False


@dataclass(slots=True)
class _Verification:
    account: PassportAccount
    identity_session: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    sent: int = 0
    verified: bool = False


@dataclass(slots=True)
class ServiceToken:
    """A serviceToken issued by the STS hop."""

    user_id: int
    expires_at: float
    valid: bool = True


class Passport:
    """State of the account twin: accounts, passTokens, service tokens, captchas and codes."""

    def __init__(self, uid: int, service_token_ttl: float = 86400.0) -> None:
        self.service_token_ttl = service_token_ttl
        self.accounts: dict[str, PassportAccount] = {}
        self.pass_tokens: dict[str, int] = {}
        self.service_tokens: dict[str, ServiceToken] = {}
        self.captchas: dict[str, str] = {}
        self.captcha_answers: list[str] = []
        self.sent_codes: list[JsonDict] = []
        self._tickets: dict[str, _Ticket] = {}
        self._verifications: dict[str, _Verification] = {}
        self.sign = base64.b64encode(hashlib.sha1(b"sid=micoapi").digest()).decode()
        self.add_account("demo@example.com", DEFAULT_PASSWORD, "ok", user_id=uid)
        for offset, mode in enumerate(MODES[1:], start=1):
            user = f"{mode.replace('_', '')}@example.com"
            self.add_account(user, DEFAULT_PASSWORD, mode, user_id=uid + offset)

    # ------------------------------------------------------------------ accounts
    def add_account(
        self, user: str, password: str, mode: str = "ok", *, user_id: int | None = None
    ) -> PassportAccount:
        """Add (or replace) a test account."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}, expected one of {', '.join(MODES)}")
        if user_id is None:
            user_id = max((a.user_id for a in self.accounts.values()), default=0) + 1
        account = PassportAccount(user, password, user_id, mode)
        self.accounts[user.lower()] = account
        return account

    def find(self, user: str) -> PassportAccount | None:
        """By e-mail/phone or by user id."""
        account = self.accounts.get(user.strip().lower())
        if account is None:
            account = next((a for a in self.accounts.values() if str(a.user_id) == user), None)
        return account

    def by_id(self, user_id: int) -> PassportAccount | None:
        """By user id."""
        return next((a for a in self.accounts.values() if a.user_id == user_id), None)

    # ------------------------------------------------------------------ tokens
    def issue_pass_token(self, user_id: int) -> str:
        """A new passToken."""
        token = "V1:" + secrets.token_urlsafe(32)
        self.pass_tokens[token] = user_id
        return token

    def service_token_ok(self, user_id: str | None, token: str | None) -> bool:
        """Whether the MiNA twin accepts these cookies."""
        record = self.service_tokens.get(token or "")
        return (
            record is not None
            and record.valid
            and record.expires_at > time.monotonic()
            and str(record.user_id) == user_id
        )

    def expire_service_tokens(self) -> None:
        """Every service token stops working (a passToken renews it)."""
        for record in self.service_tokens.values():
            record.valid = False

    def revoke(self) -> None:
        """Every passToken and service token stops working (sign in again)."""
        self.expire_service_tokens()
        self.pass_tokens.clear()

    def state(self) -> JsonDict:
        """What `/_sim/passport` shows."""
        now = time.monotonic()
        return {
            "accounts": [account.to_json() for account in self.accounts.values()],
            "sent_codes": list(self.sent_codes),
            "captchas": list(self.captcha_answers),
            "pass_tokens": len(self.pass_tokens),
            "service_tokens": sum(
                1 for r in self.service_tokens.values() if r.valid and r.expires_at > now
            ),
        }

    # ------------------------------------------------------------------ answers
    def _login_form(self) -> JsonDict:
        return {
            "qs": "%3Fsid%3Dmicoapi%26_json%3Dtrue",
            "sid": "micoapi",
            "_sign": self.sign,
            "callback": "https://api2.mina.mi.com/sts",
        }

    def not_signed_in(self, code: int = CODE_WRONG_PASSWORD, **extra: Any) -> JsonDict:
        """The error answer of serviceLogin and serviceLoginAuth2."""
        return {
            **self._login_form(),
            "code": code,
            "result": "error",
            "description": "登录验证失败",
            "desc": "登录验证失败",
            "securityStatus": 0,
            "captchaUrl": None,
            "location": "",
            "pwd": 0,
            "child": 0,
            **extra,
        }

    def signed_in(
        self,
        origin: str,
        account: PassportAccount,
        *,
        pass_token: str | None = None,
        refuse: bool = False,
    ) -> JsonDict:
        """A session: passToken (a new one unless given), ssecurity, nonce, the STS `location`."""
        nonce = str(secrets.randbelow(10**18))
        ssecurity = base64.b64encode(secrets.token_bytes(16)).decode()
        ticket = secrets.token_urlsafe(16)
        self._tickets[ticket] = _Ticket(account.user_id, nonce, ssecurity, refuse)
        location = f"{origin}/sts?" + urlencode({"d": "sim", "ticket": ticket, "nonce": nonce})
        return {
            **self._login_form(),
            "code": 0,
            "result": "ok",
            "desc": "成功",
            "securityStatus": 0,
            "userId": account.user_id,
            "cUserId": f"c{account.user_id}",
            "passToken": pass_token or self.issue_pass_token(account.user_id),
            "ssecurity": ssecurity,
            "nonce": nonce,
            "location": location,
            "pwd": 1,
            "child": 0,
        }

    def new_captcha(self) -> tuple[str, str]:
        """(ick, answer) of a new captcha."""
        ick = secrets.token_urlsafe(16)
        answer = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(4))
        self.captchas[ick] = answer
        self.captcha_answers.append(answer)
        return ick, answer

    def new_verification(self, account: PassportAccount) -> str:
        """A context for the two-factor pages."""
        context = secrets.token_urlsafe(24)
        self._verifications[context] = _Verification(account)
        return context

    def verification(self, context: str) -> _Verification | None:
        """The pending verification of a context."""
        return self._verifications.get(context)

    def verification_by_session(self, session: str | None) -> tuple[str, _Verification] | None:
        """The verification an identity_session cookie belongs to."""
        return next(
            (
                (context, item)
                for context, item in self._verifications.items()
                if session and item.identity_session == session
            ),
            None,
        )

    def finish_verification(self, context: str) -> PassportAccount | None:
        """A verified context is used up; returns its account."""
        item = self._verifications.get(context)
        if item is None or not item.verified:
            return None
        del self._verifications[context]
        return item.account

    def take_ticket(self, ticket: str) -> _Ticket | None:
        """A ticket of the STS hop (single use)."""
        return self._tickets.pop(ticket, None)

    def issue_service_token(self, user_id: int) -> str:
        """A serviceToken valid for `service_token_ttl` seconds."""
        token = secrets.token_urlsafe(48)
        self.service_tokens[token] = ServiceToken(
            user_id, time.monotonic() + self.service_token_ttl
        )
        return token


# --------------------------------------------------------------------------- handlers
PASSPORT_KEY: Final = web.AppKey("passport", Passport)


def _passport(request: web.Request) -> Passport:
    return request.app[PASSPORT_KEY]


def _answer(body: JsonDict) -> web.Response:
    return web.Response(
        text=PREFIX + json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


async def service_login(request: web.Request) -> web.Response:
    """`GET /pass/serviceLogin`: a session for a valid passToken cookie, else the login form."""
    passport = _passport(request)
    user_id = passport.pass_tokens.get(request.cookies.get("passToken", ""))
    account = passport.by_id(user_id) if user_id is not None else None
    if account is None or str(account.user_id) != request.cookies.get("userId"):
        return _answer(passport.not_signed_in())
    pass_token = request.cookies["passToken"]
    return _answer(passport.signed_in(_origin(request), account, pass_token=pass_token))


async def service_login_auth2(request: web.Request) -> web.Response:
    """`POST /pass/serviceLoginAuth2`: password (and captcha) check, then the account's branch."""
    passport = _passport(request)
    form = await request.post()
    if form.get("_sign") != passport.sign or form.get("sid") != "micoapi":
        return _answer(passport.not_signed_in())
    account = passport.find(str(form.get("user", "")))
    if account is not None and account.mode == "captcha":
        expected = passport.captchas.pop(request.cookies.get("ick", ""), None)
        given = str(form.get("captCode") or "").strip().lower()
        if expected is None or given != expected:
            query = urlencode({"icodeType": "login", "_": str(int(time.time() * 1000))})
            return _answer(
                passport.not_signed_in(CODE_WRONG_CAPTCHA, captchaUrl=f"/pass/getCode?{query}")
            )
    if account is None or form.get("hash") != password_hash(account.password):
        return _answer(passport.not_signed_in())
    if account.mode == "blocked":
        return _answer(
            passport.not_signed_in(CODE_BANNED, description="用户已经被封禁", desc="用户已经被封禁")
        )
    if account.mode in _MODE_METHODS:
        context = passport.new_verification(account)
        url = f"{_origin(request)}/fe/service/identity/authStart?" + urlencode(
            {"sid": "micoapi", "context": context}
        )
        return _answer({**passport.not_signed_in(0), "result": "ok", "notificationUrl": url})
    refuse = account.mode == "sts_blocked"
    return _answer(passport.signed_in(_origin(request), account, refuse=refuse))


async def get_code(request: web.Request) -> web.Response:
    """`GET /pass/getCode`: the captcha image; its answer is bound to the `ick` cookie."""
    ick, _answer_text = _passport(request).new_captcha()
    response = web.Response(body=CAPTCHA_PNG, content_type="image/png")
    response.set_cookie("ick", ick, path="/")
    return response


async def auth_start(request: web.Request) -> web.Response:
    """`GET /fe/service/identity/authStart`: the verification page."""
    if _passport(request).verification(request.query.get("context", "")) is None:
        return web.Response(status=404, text="unknown context")
    return web.Response(
        text="<html><body>Verify your identity (simulated)</body></html>", content_type="text/html"
    )


async def identity_list(request: web.Request) -> web.Response:
    """`GET /identity/list`: the methods (flag 4 phone, 8 e-mail) and an identity_session."""
    item = _passport(request).verification(request.query.get("context", ""))
    if item is None:
        return _answer({"code": CODE_NO_SESSION, "desc": "unknown context"})
    options = [FLAGS[name] for name in _MODE_METHODS[item.account.mode]]
    item.identity_session = secrets.token_urlsafe(32)
    response = _answer({"code": 0, "flag": options[0] if options else 0, "options": options})
    response.set_cookie("identity_session", item.identity_session, path="/")
    return response


def _method_of(request: web.Request) -> str:
    return "phone" if request.match_info["kind"] == "Phone" else "email"


async def verify_start(request: web.Request) -> web.Response:
    """`GET /identity/auth/verify{Phone,Email}`: opens the code page."""
    found = _passport(request).verification_by_session(request.cookies.get("identity_session"))
    if found is None:
        return _answer({"code": CODE_NO_SESSION, "desc": "no identity session"})
    return _answer({"code": 0})


async def send_ticket(request: web.Request) -> web.Response:
    """`POST /identity/auth/send{Phone,Email}Ticket`: "sends" a code (see `sent_codes`)."""
    passport = _passport(request)
    found = passport.verification_by_session(request.cookies.get("identity_session"))
    if found is None:
        return _answer({"code": CODE_NO_SESSION, "desc": "no identity session"})
    _context, item = found
    method = _method_of(request)
    if method not in _MODE_METHODS[item.account.mode]:
        return _answer({"code": CODE_NO_SESSION, "desc": "method not offered"})
    if item.sent >= MAX_TICKETS:
        return _answer({"code": CODE_TOO_MANY_TICKETS, "desc": "发送次数过多"})
    item.sent += 1
    code = f"{secrets.randbelow(10**6):06d}"
    item.codes[method] = code
    passport.sent_codes.append({"user": item.account.user, "method": method, "code": code})
    return _answer({"code": 0, "desc": "成功"})


async def verify_ticket(request: web.Request) -> web.Response:
    """`POST /identity/auth/verify{Phone,Email}`: the code; success gives the result `location`."""
    found = _passport(request).verification_by_session(request.cookies.get("identity_session"))
    if found is None:
        return _answer({"code": CODE_NO_SESSION, "desc": "no identity session"})
    context, item = found
    form = await request.post()
    expected = item.codes.get(_method_of(request))
    if expected is None or str(form.get("ticket", "")).strip() != expected:
        return _answer({"code": CODE_WRONG_TICKET, "desc": "验证码错误"})
    item.verified = True
    location = f"{_origin(request)}/identity/result/check?" + urlencode(
        {"sid": "micoapi", "context": context}
    )
    return _answer({"code": 0, "location": location})


async def result_check(request: web.Request) -> web.StreamResponse:
    """`GET /identity/result/check`: redirects to `serviceLoginAuth2/end`."""
    context = request.query.get("context", "")
    item = _passport(request).verification(context)
    if item is None or not item.verified:
        return web.Response(status=403, text="not verified")
    raise web.HTTPFound("/pass/serviceLoginAuth2/end?" + urlencode({"context": context}))


async def login_end(request: web.Request) -> web.Response:
    """`GET /pass/serviceLoginAuth2/end`: sets the userId and passToken cookies."""
    passport = _passport(request)
    account = passport.finish_verification(request.query.get("context", ""))
    if account is None:
        return web.Response(status=403, text="not verified")
    response = web.Response(text="ok")
    response.set_cookie("userId", str(account.user_id), path="/")
    response.set_cookie("cUserId", f"c{account.user_id}", path="/")
    response.set_cookie("passToken", passport.issue_pass_token(account.user_id), path="/")
    return response


async def sts(request: web.Request) -> web.Response:
    """`GET /sts`: checks `clientSign` and sets the serviceToken cookie."""
    passport = _passport(request)
    ticket = passport.take_ticket(request.query.get("ticket", ""))
    if ticket is None or ticket.refuse:
        return web.Response(status=401, text="sts: refused")
    if request.query.get("clientSign") != client_sign(ticket.nonce, ticket.ssecurity):
        return web.Response(status=401, text="sts: bad clientSign")
    response = web.Response(text="ok")
    response.set_cookie("serviceToken", passport.issue_service_token(ticket.user_id), path="/")
    response.set_cookie("userId", str(ticket.user_id), path="/")
    response.set_cookie("cUserId", f"c{ticket.user_id}", path="/")
    return response


# --------------------------------------------------------------------------- control API
async def sim_passport(request: web.Request) -> web.Response:
    """Accounts, sent codes, captcha answers and token counts."""
    return web.json_response(_passport(request).state())


async def sim_add_account(request: web.Request) -> web.Response:
    """Add a test account: {"user", "password", "mode", "user_id"?}."""
    try:
        body = await request.json()
        user_id = body.get("user_id")
        account = _passport(request).add_account(
            str(body["user"]),
            str(body.get("password") or DEFAULT_PASSWORD),
            str(body.get("mode") or "ok"),
            user_id=int(user_id) if user_id is not None else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        return web.json_response({"ok": False, "error": str(err)}, status=400)
    return web.json_response(account.to_json(), status=201)


async def sim_expire(request: web.Request) -> web.Response:
    """Expire every service token."""
    _passport(request).expire_service_tokens()
    return web.json_response({"ok": True})


async def sim_revoke(request: web.Request) -> web.Response:
    """Revoke every passToken and service token."""
    _passport(request).revoke()
    return web.json_response({"ok": True})


def add_routes(app: web.Application, passport: Passport) -> None:
    """Serve the account twin from `app`."""
    app[PASSPORT_KEY] = passport
    kind = "{kind:Phone|Email}"
    app.add_routes(
        [
            web.get("/pass/serviceLogin", service_login),
            web.post("/pass/serviceLoginAuth2", service_login_auth2),
            web.get("/pass/serviceLoginAuth2/end", login_end),
            web.get("/pass/getCode", get_code),
            web.get("/fe/service/identity/authStart", auth_start),
            web.get("/identity/list", identity_list),
            web.get(f"/identity/auth/verify{kind}", verify_start),
            web.post(f"/identity/auth/send{kind}Ticket", send_ticket),
            web.post(f"/identity/auth/verify{kind}", verify_ticket),
            web.get("/identity/result/check", result_check),
            web.get("/sts", sts),
            web.get("/_sim/passport", sim_passport),
            web.post("/_sim/passport/accounts", sim_add_account),
            web.post("/_sim/passport/expire", sim_expire),
            web.post("/_sim/passport/revoke", sim_revoke),
        ]
    )
