"""Sign-in answers the twin never gives, from a scripted account service on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from mina import (
    MinaAuthError,
    MinaCloudUnavailableError,
    MinaCredential,
    MinaEndpoints,
    MinaRateLimitedError,
    MinaSignIn,
    MinaSignInError,
    MinaTimeoutError,
    SignInStep,
    TwoFactorMethod,
    client_sign,
    parse_account_json,
    parse_cookie,
    password_hash,
    renew_credential,
)
import pytest

from .conftest import Handler, Scripted, account, new_session, raw, session_answer


@pytest.fixture
async def session(scripted: Scripted) -> AsyncIterator[aiohttp.ClientSession]:
    """The injected session (no simulator here)."""
    async with new_session() as client_session:
        yield client_session


def flow_for(scripted: Scripted, session: aiohttp.ClientSession, **kw: Any) -> MinaSignIn:
    """A sign-in against the scripted server."""
    return MinaSignIn(session, scripted.endpoints, **kw)


def test_helpers() -> None:
    """Hash, sign, JSON prefix and cookie parsing."""
    assert password_hash("abc") == "900150983CD24FB0D6963F7D28E17F72"
    assert client_sign("1", "s") == "ihtQRuo1C5b0ih+ql4VpGonECpA="  # base64(sha1("nonce=1&s"))
    assert parse_account_json('&&&START&&&{"a": 1}') == {"a": 1}
    assert parse_account_json("  ") == {}
    assert parse_cookie(' a=1; b="2" ;=x; c ; d=') == {"a": "1", "b": "2", "d": ""}
    with pytest.raises(ValueError, match="region"):
        MinaEndpoints.for_region("xx")
    real = MinaEndpoints.for_region("cn")
    assert real.account_url == "https://account.xiaomi.com"
    assert real.api_url == "https://api2.mina.mi.com"
    assert real.userprofile_url == "https://userprofile.mina.mi.com"
    mixed = MinaEndpoints.for_region("sg", api_url="http://127.0.0.1:1/")
    assert mixed.api_url == "http://127.0.0.1:1"
    assert mixed.account_url == "https://account.xiaomi.com"


async def test_service_login_without_sign(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """serviceLogin must give a `_sign`."""
    scripted.routes[("GET", "/pass/serviceLogin")] = account({"code": 70016})
    flow = flow_for(scripted, session)
    with pytest.raises(MinaSignInError) as err:
        await flow.start("u", "p")
    assert err.value.code == 70016
    assert flow.step is None
    scripted.routes[("GET", "/pass/serviceLogin")] = account({})
    with pytest.raises(MinaSignInError) as err:
        await flow.start("u", "p")
    assert err.value.code == -1


async def test_form_and_cookies_sent(scripted: Scripted, session: aiohttp.ClientSession) -> None:
    """serviceLoginAuth2 gets the copied form, the hash and the sdkVersion/deviceId cookies."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account({"code": 70016})
    flow = flow_for(scripted, session, device_id="DEV0000000000001")
    assert (await flow.start(" user ", "pw")).step is SignInStep.WRONG_PASSWORD
    request = scripted.seen[-1]
    assert request.form == {
        "_json": "true",
        "qs": "q",
        "sid": "micoapi",
        "_sign": "S",
        "callback": "cb",
        "user": "user",
        "hash": password_hash("pw"),
    }
    assert request.cookies["deviceId"] == "DEV0000000000001"
    assert request.cookies["sdkVersion"] == "3.9"
    assert "pw" not in request.cookies.values()


@pytest.mark.parametrize(
    ("code", "step"),
    [
        (70002, SignInStep.WRONG_PASSWORD),
        (20003, SignInStep.WRONG_PASSWORD),
        (81003, SignInStep.BLOCKED),
        (350008, SignInStep.BLOCKED),
    ],
)
async def test_known_codes(
    scripted: Scripted, session: aiohttp.ClientSession, code: int, step: SignInStep
) -> None:
    """Credential and block codes."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account({"code": code})
    result = await flow_for(scripted, session).start("u", "p")
    assert (result.step, result.code) == (step, code)


@pytest.mark.parametrize(
    ("body", "code"), [({"code": 22009}, 22009), ({}, -1), ({"code": True}, -1)]
)
async def test_unknown_code(
    scripted: Scripted, session: aiohttp.ClientSession, body: dict[str, Any], code: int
) -> None:
    """An unknown answer is a MinaSignInError with the code."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(body)
    with pytest.raises(MinaSignInError) as err:
        await flow_for(scripted, session).start("u", "p")
    assert err.value.code == code


@pytest.mark.parametrize(
    "handler",
    [raw("no", status=200), raw("", status=200, cookies={"ick": "1"}), raw("x", status=404)],
)
async def test_captcha_image_missing(
    scripted: Scripted, session: aiohttp.ClientSession, handler: Handler
) -> None:
    """A captcha needs an image and an `ick` cookie."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        {"code": 70016, "captchaUrl": "/pass/getCode?x=1"}
    )
    scripted.routes[("GET", "/pass/getCode")] = handler
    flow = flow_for(scripted, session)
    with pytest.raises(MinaSignInError, match="captcha"):
        await flow.start("u", "p")
    assert flow.step is None


async def test_captcha_submit_failure_resets(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """An error while submitting the captcha ends the flow."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        {"code": 87001, "captchaUrl": "/pass/getCode"}
    )
    scripted.routes[("GET", "/pass/getCode")] = raw("img", cookies={"ick": "I"})
    flow = flow_for(scripted, session)
    assert (await flow.start("u", "p")).step is SignInStep.CAPTCHA
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = raw("boom", status=503)
    with pytest.raises(MinaCloudUnavailableError, match="503"):
        await flow.submit_captcha("abcd")
    assert flow.step is None


async def test_captcha_cookie_and_params(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """The answer goes as `captCode` with the `ick` cookie and a `_dc` parameter."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        {"code": 87001, "captchaUrl": "/pass/getCode"}
    )
    scripted.routes[("GET", "/pass/getCode")] = raw("img", cookies={"ick": "ICK1"})
    scripted.routes[("GET", "/sts")] = raw("ok", cookies={"serviceToken": "ST"})
    flow = flow_for(scripted, session)
    await flow.start("u", "p")
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(session_answer())
    result = await flow.submit_captcha("abcd")
    assert result.step is SignInStep.OK
    auth2 = next(r for r in reversed(scripted.seen) if r.path == "/pass/serviceLoginAuth2")
    assert auth2.cookies["ick"] == "ICK1"
    assert auth2.form["captCode"] == "abcd"
    assert "_dc" in auth2.query


@pytest.mark.parametrize(
    ("sts", "outcome"),
    [
        (raw("ok"), MinaSignInError),
        (raw("no", status=403), SignInStep.BLOCKED),
    ],
)
async def test_sts_answers(
    scripted: Scripted, session: aiohttp.ClientSession, sts: Handler, outcome: object
) -> None:
    """The STS hop without a serviceToken: refused (401/403) is a block, else an error."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(session_answer("/sts"))
    scripted.routes[("GET", "/sts")] = sts
    flow = flow_for(scripted, session)
    if outcome is MinaSignInError:
        with pytest.raises(MinaSignInError, match="no serviceToken"):
            await flow.start("u", "p")
    else:
        assert (await flow.start("u", "p")).step is outcome
    sent = next(r for r in scripted.seen if r.path == "/sts")
    assert sent.query["clientSign"] == client_sign("7", "SEC")


async def test_sts_redirects_and_pass_token_cookie(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """Redirects are followed; the passToken may come as a cookie instead of a field."""
    answer = session_answer("/sts?t=1")
    del answer["passToken"]
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        answer, cookies={"passToken": "C"}
    )
    scripted.routes[("GET", "/sts")] = raw("", status=302, Location="/sts/final")
    scripted.routes[("GET", "/sts/final")] = raw("ok", cookies={"serviceToken": "ST2"})
    result = await flow_for(scripted, session).start("u", "p")
    assert result.credential is not None
    assert result.credential.pass_token == "C"
    assert result.credential.service_token == "ST2"
    assert result.credential.user_id == "42"


async def test_account_cookies_stay_on_the_account_host(
    scripted: Scripted, other_host: Scripted, session: aiohttp.ClientSession
) -> None:
    """An STS hop on another host gets none of the account host's cookies."""
    location = f"{other_host.base_url}/sts?t=1"
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        session_answer(location), cookies={"passToken": "SECRET"}
    )
    other_host.routes[("GET", "/sts")] = raw("ok", cookies={"serviceToken": "ST"})
    result = await flow_for(scripted, session).start("u", "p")
    assert result.step is SignInStep.OK
    assert other_host.seen[-1].cookies == {}
    assert scripted.seen[-1].cookies["deviceId"]


async def test_answer_without_pass_token(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """A session answer must yield a passToken somewhere."""
    answer = session_answer()
    del answer["passToken"]
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(answer)
    scripted.routes[("GET", "/sts")] = raw("ok", cookies={"serviceToken": "ST"})
    with pytest.raises(MinaSignInError, match="passToken"):
        await flow_for(scripted, session).start("u", "p")


async def test_redirect_loop(scripted: Scripted, session: aiohttp.ClientSession) -> None:
    """Endless redirects give up."""
    scripted.routes[("GET", "/pass/serviceLogin")] = raw(
        "", status=302, Location="/pass/serviceLogin"
    )
    with pytest.raises(MinaCloudUnavailableError, match="redirects"):
        await flow_for(scripted, session).start("u", "p")


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (raw("slow down", status=429), MinaRateLimitedError),
        (raw("down", status=502), MinaCloudUnavailableError),
        (raw("[1, 2]"), MinaCloudUnavailableError),
        (raw("&&&START&&&{oops"), MinaCloudUnavailableError),
    ],
)
async def test_transport_errors(
    scripted: Scripted, session: aiohttp.ClientSession, handler: Handler, error: type[Exception]
) -> None:
    """HTTP errors and garbage map to typed errors."""
    scripted.routes[("GET", "/pass/serviceLogin")] = handler
    with pytest.raises(error):
        await flow_for(scripted, session).start("u", "p")


async def test_timeout_and_refused(scripted: Scripted, session: aiohttp.ClientSession) -> None:
    """No answer in time, or nobody listening."""

    release = asyncio.Event()
    finished = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        await release.wait()
        finished.set()
        return web.Response(text="late")

    scripted.routes[("GET", "/pass/serviceLogin")] = slow
    with pytest.raises(MinaTimeoutError):
        await flow_for(scripted, session, timeout=0.1).start("u", "p")
    release.set()
    await finished.wait()
    closed = MinaEndpoints.for_region("cn", base_url="http://127.0.0.1:9")
    with pytest.raises(MinaCloudUnavailableError):
        await MinaSignIn(session, closed).start("u", "p")


def two_factor_routes(scripted: Scripted, identity: dict[str, Any]) -> None:
    """serviceLoginAuth2 asks for verification with the given identity/list answer."""
    scripted.routes[("POST", "/pass/serviceLoginAuth2")] = account(
        {"code": 0, "notificationUrl": "/fe/service/identity/authStart?context=CTX"}
    )
    scripted.routes[("GET", "/fe/service/identity/authStart")] = raw("<html/>")
    scripted.routes[("GET", "/identity/list")] = account(
        identity, cookies={"identity_session": "IS"}
    )


async def test_identity_flag_without_options(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """`flag` alone names the method; the context and identity_session are passed on."""
    two_factor_routes(scripted, {"code": 0, "flag": 8, "options": "bad"})
    flow = flow_for(scripted, session)
    result = await flow.start("u", "p")
    assert result.methods == (TwoFactorMethod.EMAIL,)
    listing = next(r for r in scripted.seen if r.path == "/identity/list")
    assert listing.query["context"] == "CTX"
    assert listing.query["sid"] == "micoapi"
    scripted.routes[("GET", "/identity/auth/verifyEmail")] = account({})
    scripted.routes[("POST", "/identity/auth/sendEmailTicket")] = account({"code": 0})
    await flow.send_code(TwoFactorMethod.EMAIL)
    sent = scripted.seen[-1]
    assert sent.cookies["identity_session"] == "IS"
    assert sent.query["context"] == "CTX"


@pytest.mark.parametrize(
    ("verify", "send", "message"),
    [
        ({"code": 1}, {"code": 0}, "verifyPhone"),
        ({"code": 0}, {"code": 10001}, "sendPhoneTicket"),
    ],
)
async def test_send_code_refused(
    scripted: Scripted,
    session: aiohttp.ClientSession,
    verify: dict[str, Any],
    send: dict[str, Any],
    message: str,
) -> None:
    """A refused send is a MinaSignInError; the flow stays in two-factor."""
    two_factor_routes(scripted, {"code": 0, "flag": 4})
    scripted.routes[("GET", "/identity/auth/verifyPhone")] = account(verify)
    scripted.routes[("POST", "/identity/auth/sendPhoneTicket")] = account(send)
    flow = flow_for(scripted, session)
    await flow.start("u", "p")
    with pytest.raises(MinaSignInError, match=message):
        await flow.send_code(TwoFactorMethod.PHONE)
    assert flow.step is SignInStep.TWO_FACTOR


@pytest.mark.parametrize(("verify", "code"), [({"code": 0}, 0), ({"code": 70001}, 70001), ({}, -1)])
async def test_verify_refused(
    scripted: Scripted, session: aiohttp.ClientSession, verify: dict[str, Any], code: int
) -> None:
    """A verify answer without `location` or with an unknown code ends the flow."""
    two_factor_routes(scripted, {"code": 0, "options": [4]})
    scripted.routes[("POST", "/identity/auth/verifyPhone")] = account(verify)
    flow = flow_for(scripted, session)
    await flow.start("u", "p")
    with pytest.raises(MinaSignInError) as err:
        await flow.verify_code("1")
    assert err.value.code == code
    assert flow.step is None


async def test_no_session_after_verification(
    scripted: Scripted, session: aiohttp.ClientSession
) -> None:
    """serviceLogin must give a session once verified."""
    two_factor_routes(scripted, {"code": 0, "options": [4]})
    scripted.routes[("POST", "/identity/auth/verifyPhone")] = account(
        {"code": 0, "location": "/identity/result/check"}
    )
    scripted.routes[("GET", "/identity/result/check")] = raw("ok", cookies={"passToken": "P"})
    flow = flow_for(scripted, session)
    await flow.start("u", "p")
    with pytest.raises(MinaSignInError, match="after verification"):
        await flow.verify_code("1")
    login = [r for r in scripted.seen if r.path == "/pass/serviceLogin"][-1]
    assert login.cookies["passToken"] == "P"


async def test_renew_refused_by_sts(scripted: Scripted, session: aiohttp.ClientSession) -> None:
    """Renewal whose STS hop is refused: MinaAuthError."""
    scripted.routes[("GET", "/pass/serviceLogin")] = account(session_answer("/sts?r=1"))
    scripted.routes[("GET", "/sts")] = raw("no", status=401)
    credential = MinaCredential("42", "PT", "ST", "SEC", "DEV")
    with pytest.raises(MinaAuthError, match="refused"):
        await renew_credential(session, scripted.endpoints, credential)
    scripted.routes[("GET", "/sts")] = raw("ok", cookies={"serviceToken": "NEW"})
    scripted.routes[("GET", "/pass/serviceLogin")] = account(
        {**session_answer("/sts?r=2"), "passToken": "ROTATED"}
    )
    renewed = await renew_credential(session, scripted.endpoints, credential)
    assert (renewed.service_token, renewed.pass_token) == ("NEW", "ROTATED")
    assert renewed.device_id == "DEV"
    login = [r for r in scripted.seen if r.path == "/pass/serviceLogin"][-1]
    assert login.cookies["passToken"] == "PT"
    assert login.cookies["userId"] == "42"
