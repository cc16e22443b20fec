"""The account twin over raw HTTP: field names, the `&&&START&&&` prefix and every branch."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from simulator import Simulator
from simulator.passport import DEFAULT_PASSWORD, MODES, client_sign, password_hash

from .conftest import Reply, TwinClient


async def login_form(twin: TwinClient) -> dict[str, str]:
    """`serviceLogin` without cookies: the form fields to copy."""
    reply = await twin.request(
        "GET", "/pass/serviceLogin", params={"sid": "micoapi", "_json": "true"}
    )
    answer = reply.account_json()
    assert answer["code"] == 70016
    assert answer["location"] == ""
    return {key: answer[key] for key in ("qs", "sid", "_sign", "callback")}


async def auth2(
    twin: TwinClient,
    user: str,
    password: str = DEFAULT_PASSWORD,
    cookies: dict[str, str] | None = None,
    **extra: str,
) -> dict[str, object]:
    """`serviceLoginAuth2` as the official client posts it."""
    form = {
        **(await login_form(twin)),
        "_json": "true",
        "user": user,
        "hash": password_hash(password),
    }
    reply = await twin.request(
        "POST",
        "/pass/serviceLoginAuth2",
        params={"_json": "true"},
        data={**form, **extra},
        cookies=cookies,
    )
    answer: dict[str, object] = reply.account_json()
    return answer


async def sts(twin: TwinClient, answer: dict[str, object], sign: str | None = None) -> Reply:
    """Follow `location` with `clientSign`."""
    location = str(answer["location"])
    signature = sign or client_sign(str(answer["nonce"]), str(answer["ssecurity"]))
    return await twin.request("GET", location, params={"clientSign": signature})


async def test_password_session(twin: TwinClient, twin_sim: Simulator) -> None:
    """Success: userId, passToken, ssecurity, nonce, location; the STS hop sets serviceToken."""
    answer = await auth2(twin, "demo@example.com")
    assert answer["code"] == 0
    assert answer["userId"] == int(twin_sim.uid)
    assert str(answer["cUserId"])
    assert {"passToken", "ssecurity", "nonce", "location"} <= set(answer)
    assert "notificationUrl" not in answer
    reply = await sts(twin, answer)
    assert reply.status == 200
    assert reply.cookies["userId"] == twin_sim.uid
    token = reply.cookies["serviceToken"]
    assert twin_sim.passport.service_token_ok(twin_sim.uid, token)
    assert not twin_sim.passport.service_token_ok("1", token)
    # The STS ticket is single use.
    assert (await sts(twin, answer)).status == 401


async def test_pass_token_session(twin: TwinClient, twin_sim: Simulator) -> None:
    """serviceLogin with userId and passToken cookies gives a session (same passToken)."""
    answer = await auth2(twin, "demo@example.com")
    cookies = {"userId": str(answer["userId"]), "passToken": str(answer["passToken"])}
    reply = await twin.request(
        "GET", "/pass/serviceLogin", params={"sid": "micoapi"}, cookies=cookies
    )
    session = reply.account_json()
    assert session["code"] == 0
    assert session["passToken"] == answer["passToken"]
    assert (await sts(twin, session)).cookies["serviceToken"]
    # Another user's id with this passToken: no session.
    cookies["userId"] = "1"
    reply = await twin.request("GET", "/pass/serviceLogin", cookies=cookies)
    assert reply.account_json()["code"] == 70016


async def test_wrong_password_sign_and_clientsign(twin: TwinClient) -> None:
    """Wrong password or unknown user: 70016; a wrong `_sign`: 70016; a wrong clientSign: 401."""
    assert (await auth2(twin, "demo@example.com", "nope"))["code"] == 70016
    assert (await auth2(twin, "nobody@example.com"))["code"] == 70016
    assert (await auth2(twin, "demo@example.com", _sign="forged"))["code"] == 70016
    answer = await auth2(twin, "demo@example.com")
    assert (await sts(twin, answer, sign="bad")).status == 401


async def test_user_id_signs_in(twin: TwinClient, twin_sim: Simulator) -> None:
    """The account id works as the user name."""
    assert (await auth2(twin, twin_sim.uid))["code"] == 0


async def test_captcha(twin: TwinClient, twin_sim: Simulator) -> None:
    """87001 with `captchaUrl`; the image sets `ick`; `captCode` with the cookie passes."""
    answer = await auth2(twin, "captcha@example.com")
    assert answer["code"] == 87001
    url = str(answer["captchaUrl"])
    assert url.startswith("/pass/getCode?icodeType=login")
    image = await twin.request("GET", url)
    assert image.headers["Content-Type"] == "image/png"
    ick = image.cookies["ick"]
    solution = twin_sim.passport.captcha_answers[-1]
    wrong = await auth2(twin, "captcha@example.com", cookies={"ick": ick}, captCode="zzzz")
    assert wrong["code"] == 87001
    # The ick is used up by a wrong answer; a new image is needed.
    image = await twin.request("GET", url)
    right = await auth2(
        twin,
        "captcha@example.com",
        cookies={"ick": image.cookies["ick"]},
        captCode=twin_sim.passport.captcha_answers[-1],
    )
    assert right["code"] == 0
    assert len(solution) == 4
    assert len(twin_sim.passport.captcha_answers) == 2


async def test_blocked(twin: TwinClient) -> None:
    """A banned account: 350008."""
    answer = await auth2(twin, "blocked@example.com")
    assert answer["code"] == 350008
    assert answer["desc"] == "用户已经被封禁"


async def test_sts_blocked(twin: TwinClient) -> None:
    """The STS hop refuses a password session of `sts_blocked` accounts."""
    answer = await auth2(twin, "stsblocked@example.com")
    assert answer["code"] == 0
    assert (await sts(twin, answer)).status == 401


async def test_two_factor(twin: TwinClient, twin_sim: Simulator) -> None:
    """notificationUrl → authStart → identity/list → verify/send → verify → result → end."""
    answer = await auth2(twin, "both@example.com")
    url = str(answer["notificationUrl"])
    assert "/fe/service/identity/authStart?" in url
    context = parse_qs(urlsplit(url).query)["context"][0]
    assert (await twin.request("GET", url)).status == 200
    listing = await twin.request(
        "GET", "/identity/list", params={"sid": "micoapi", "context": context}
    )
    assert listing.account_json() == {"code": 0, "flag": 4, "options": [4, 8]}
    session = {"identity_session": listing.cookies["identity_session"]}
    reply = await twin.request(
        "GET", "/identity/auth/verifyEmail", params={"_flag": "8", "_json": "true"}, cookies=session
    )
    assert reply.account_json()["code"] == 0
    reply = await twin.request(
        "POST",
        "/identity/auth/sendEmailTicket",
        data={"retry": "0", "icode": "", "_json": "true"},
        cookies=session,
    )
    assert reply.account_json()["code"] == 0
    sent = twin_sim.passport.sent_codes[-1]
    assert (sent["user"], sent["method"]) == ("both@example.com", "email")
    # The code of one method does not verify the other.
    ticket = {"_flag": "4", "ticket": sent["code"], "trust": "false", "_json": "true"}
    reply = await twin.request("POST", "/identity/auth/verifyPhone", data=ticket, cookies=session)
    assert reply.account_json()["code"] == 70014
    # Not verified yet.
    assert (
        await twin.request("GET", "/identity/result/check", params={"context": context})
    ).status == 403
    assert (
        await twin.request("GET", "/pass/serviceLoginAuth2/end", params={"context": context})
    ).status == 403
    reply = await twin.request(
        "POST", "/identity/auth/verifyEmail", data={**ticket, "_flag": "8"}, cookies=session
    )
    location = reply.account_json()["location"]
    check = await twin.request("GET", location)
    assert check.status == 302
    end = await twin.request("GET", check.headers["Location"])
    assert end.status == 200
    assert end.cookies["userId"] == str(twin_sim.passport.find("both@example.com").user_id)  # type: ignore[union-attr]
    cookies = {"userId": end.cookies["userId"], "passToken": end.cookies["passToken"]}
    session_answer = (
        await twin.request("GET", "/pass/serviceLogin", cookies=cookies)
    ).account_json()
    assert session_answer["code"] == 0
    # The context is used up.
    assert (
        await twin.request("GET", "/pass/serviceLoginAuth2/end", params={"context": context})
    ).status == 403


async def test_two_factor_refusals(twin: TwinClient) -> None:
    """No identity session, unknown context, a method not offered, too many codes."""
    for method, path in [
        ("GET", "/identity/auth/verifyPhone"),
        ("POST", "/identity/auth/sendPhoneTicket"),
        ("POST", "/identity/auth/verifyPhone"),
    ]:
        reply = await twin.request(method, path, cookies={"identity_session": "nope"})
        assert reply.account_json()["code"] == -1
    assert (await twin.request("GET", "/identity/list", params={"context": "x"})).account_json()[
        "code"
    ] == -1
    assert (
        await twin.request("GET", "/fe/service/identity/authStart", params={"context": "x"})
    ).status == 404
    answer = await auth2(twin, "sms@example.com")
    context = parse_qs(urlsplit(str(answer["notificationUrl"])).query)["context"][0]
    listing = await twin.request("GET", "/identity/list", params={"context": context})
    assert listing.account_json()["options"] == [4]
    session = {"identity_session": listing.cookies["identity_session"]}
    email = await twin.request("POST", "/identity/auth/sendEmailTicket", cookies=session)
    assert email.account_json()["code"] == -1
    codes = [
        (
            await twin.request("POST", "/identity/auth/sendPhoneTicket", cookies=session)
        ).account_json()["code"]
        for _ in range(6)
    ]
    assert codes == [0, 0, 0, 0, 0, 70022]


async def test_no_method(twin: TwinClient) -> None:
    """`no_method`: the verification offers nothing usable."""
    answer = await auth2(twin, "nomethod@example.com")
    context = parse_qs(urlsplit(str(answer["notificationUrl"])).query)["context"][0]
    listing = await twin.request("GET", "/identity/list", params={"context": context})
    assert listing.account_json() == {"code": 0, "flag": 0, "options": []}


async def test_control_api(twin: TwinClient, twin_sim: Simulator) -> None:
    """/_sim/passport: state, new accounts, expire and revoke."""
    state = (await twin.request("GET", "/_sim/passport")).json()
    assert {account["mode"] for account in state["accounts"]} == set(MODES)
    assert "password" not in state["accounts"][0]
    reply = await twin.request(
        "POST", "/_sim/passport/accounts", json_body={"user": "new@example.com", "mode": "sms"}
    )
    assert reply.status == 201
    created = reply.json()
    assert created["user_id"] > max(a["user_id"] for a in state["accounts"])
    assert (await auth2(twin, "new@example.com"))["notificationUrl"]
    for bad in ({"user": "x", "mode": "weird"}, {"mode": "ok"}, ["list"]):
        assert (await twin.request("POST", "/_sim/passport/accounts", json_body=bad)).status == 400
    answer = await auth2(twin, "demo@example.com")
    token = (await sts(twin, answer)).cookies["serviceToken"]
    assert (await twin.request("GET", "/_sim/passport")).json()["service_tokens"] == 1
    assert (await twin.request("POST", "/_sim/passport/expire")).status == 200
    assert not twin_sim.passport.service_token_ok(twin_sim.uid, token)
    assert twin_sim.passport.pass_tokens
    assert (await twin.request("POST", "/_sim/passport/revoke")).status == 200
    assert not twin_sim.passport.pass_tokens
