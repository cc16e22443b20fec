"""Password sign-in against the account twin: every branch a config flow has to drive."""

from __future__ import annotations

import logging

import aiohttp
from mina import (
    MinaAuth,
    MinaAuthError,
    MinaClient,
    MinaCredential,
    MinaEndpoints,
    MinaFlowError,
    MinaRateLimitedError,
    MinaSignIn,
    SignInStep,
    TwoFactorMethod,
)
import pytest

from simulator import Simulator
from simulator.passport import DEFAULT_PASSWORD

from .conftest import sign_in


def secrets_of(credential: MinaCredential) -> list[str]:
    """The values that must never show up in logs or reprs."""
    return [credential.pass_token, credential.service_token, credential.ssecurity]


async def test_password_sign_in(
    sim: Simulator,
    session: aiohttp.ClientSession,
    endpoints: MinaEndpoints,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """OK: the credential holds userId, passToken, serviceToken, ssecurity and deviceId."""
    caplog.set_level(logging.DEBUG)
    flow = MinaSignIn(session, endpoints, device_id="ABCDEFGHIJKLMNOP")
    result = await flow.start("Demo@Example.com ", DEFAULT_PASSWORD)
    assert result.step is SignInStep.OK
    credential = result.credential
    assert credential is not None
    assert credential.user_id == sim.uid
    assert credential.device_id == "ABCDEFGHIJKLMNOP"
    assert credential.pass_token in sim.passport.pass_tokens
    assert sim.passport.service_token_ok(sim.uid, credential.service_token)
    assert flow.step is None
    text = repr(credential) + str(credential) + repr(result) + repr(flow) + caplog.text
    for secret in [*secrets_of(credential), DEFAULT_PASSWORD]:
        assert secret not in text
    assert "ABCDEFGHIJKLMNOP" in repr(flow)
    stored = credential.to_dict()
    assert MinaCredential.from_dict(stored) == credential
    assert set(stored) == {
        "user_id",
        "pass_token",
        "service_token",
        "ssecurity",
        "device_id",
        "obtained_at",
    }


async def test_new_device_id_per_flow(
    session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """Without a device id a flow makes one: 16 upper-case letters and digits."""
    credential = await sign_in(session, endpoints)
    assert len(credential.device_id) == 16
    assert credential.device_id.isalnum()
    assert credential.device_id.upper() == credential.device_id


@pytest.mark.parametrize(
    ("user", "password"),
    [("demo@example.com", "wrong"), ("nobody@example.com", DEFAULT_PASSWORD)],
)
async def test_wrong_password(
    session: aiohttp.ClientSession, endpoints: MinaEndpoints, user: str, password: str
) -> None:
    """A wrong password or an unknown account: code 70016."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start(user, password)
    assert result.step is SignInStep.WRONG_PASSWORD
    assert result.code == 70016
    assert result.credential is None
    assert flow.step is None


async def test_captcha(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """Captcha: an image, a wrong answer asks again, the right one signs in."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start("captcha@example.com", DEFAULT_PASSWORD)
    assert result.step is SignInStep.CAPTCHA
    assert result.retry is False
    assert result.code == 87001
    assert result.captcha is not None
    assert result.captcha.image.startswith(b"\x89PNG")
    assert result.captcha.content_type == "image/png"
    assert result.captcha.url.startswith(f"{sim.base_url}/pass/getCode?")
    assert "image=" not in repr(result.captcha)
    assert flow.step is SignInStep.CAPTCHA

    again = await flow.submit_captcha("nope")
    assert again.step is SignInStep.CAPTCHA
    assert again.retry is True
    assert len(sim.passport.captcha_answers) == 2

    done = await flow.submit_captcha(f" {sim.passport.captcha_answers[-1].upper()} ")
    assert done.step is SignInStep.OK
    assert done.credential is not None
    assert flow.step is None


async def test_captcha_then_wrong_password(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """The captcha is checked first; a wrong password then ends the flow."""
    flow = MinaSignIn(session, endpoints)
    assert (await flow.start("captcha@example.com", "wrong")).step is SignInStep.CAPTCHA
    result = await flow.submit_captcha(sim.passport.captcha_answers[-1])
    assert result.step is SignInStep.WRONG_PASSWORD


@pytest.mark.parametrize(
    ("user", "method"),
    [("sms@example.com", TwoFactorMethod.PHONE), ("email@example.com", TwoFactorMethod.EMAIL)],
)
async def test_two_factor(
    sim: Simulator,
    session: aiohttp.ClientSession,
    endpoints: MinaEndpoints,
    user: str,
    method: TwoFactorMethod,
) -> None:
    """Two-factor: send a code, a wrong code asks again, the right one signs in."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start(user, DEFAULT_PASSWORD)
    assert result.step is SignInStep.TWO_FACTOR
    assert result.methods == (method,)
    assert flow.step is SignInStep.TWO_FACTOR

    await flow.send_code(method.value)
    sent = sim.passport.sent_codes[-1]
    assert sent["user"] == user
    assert sent["method"] == method.value

    wrong = await flow.verify_code("000000" if sent["code"] != "000000" else "111111")
    assert wrong.step is SignInStep.TWO_FACTOR
    assert wrong.retry is True
    assert wrong.methods == (method,)

    done = await flow.verify_code(f" {sent['code']} ")
    assert done.step is SignInStep.OK
    credential = done.credential
    assert credential is not None
    account = sim.passport.find(user)
    assert account is not None
    assert credential.user_id == str(account.user_id)
    assert credential.pass_token in sim.passport.pass_tokens
    assert flow.step is None
    # The credential works on the MiNA API.
    client = MinaClient(MinaAuth(session, endpoints, credential))
    assert [speaker.miot_did for speaker in await client.device_list()] == ["100007"]


async def test_two_factor_choice_and_limits(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """Both methods offered; a code before sending is wrong; too many codes: rate limited."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start("both@example.com", DEFAULT_PASSWORD)
    assert result.methods == (TwoFactorMethod.PHONE, TwoFactorMethod.EMAIL)
    assert (await flow.verify_code("123456")).retry is True  # nothing sent yet
    for _ in range(5):
        await flow.send_code(TwoFactorMethod.EMAIL)
    with pytest.raises(MinaRateLimitedError):
        await flow.send_code(TwoFactorMethod.PHONE)
    done = await flow.verify_code(sim.passport.sent_codes[-1]["code"])
    assert done.step is SignInStep.OK


async def test_two_factor_method_not_offered(
    session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """Asking for a method the account does not offer is a flow error."""
    flow = MinaSignIn(session, endpoints)
    await flow.start("sms@example.com", DEFAULT_PASSWORD)
    with pytest.raises(MinaFlowError):
        await flow.send_code(TwoFactorMethod.EMAIL)
    with pytest.raises(ValueError, match="fax"):
        await flow.send_code("fax")


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("blocked@example.com", 350008),
        ("nomethod@example.com", 0),
        ("stsblocked@example.com", None),
    ],
)
async def test_blocked_then_pass_token(
    sim: Simulator,
    session: aiohttp.ClientSession,
    endpoints: MinaEndpoints,
    user: str,
    code: int | None,
) -> None:
    """Blocked (banned, no usable verification, STS refusal): a passToken still signs in."""
    flow = MinaSignIn(session, endpoints)
    result = await flow.start(user, DEFAULT_PASSWORD)
    assert result.step is SignInStep.BLOCKED
    assert result.code == code
    assert flow.step is None
    account = sim.passport.find(user)
    assert account is not None
    pass_token = sim.passport.issue_pass_token(account.user_id)  # as copied from a browser
    credential = await flow.sign_in_with_pass_token(f" {account.user_id} ", pass_token)
    assert credential.user_id == str(account.user_id)
    assert credential.pass_token == pass_token
    assert sim.passport.service_token_ok(str(account.user_id), credential.service_token)


async def test_sign_in_with_cookie(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """A pasted Cookie header: userId and passToken are used, the rest ignored."""
    pass_token = sim.passport.issue_pass_token(int(sim.uid))
    flow = MinaSignIn(session, endpoints)
    credential = await flow.sign_in_with_cookie(
        f'deviceId=X; userId={sim.uid}; passToken="{pass_token}"; serviceToken=old; junk'
    )
    assert credential.pass_token == pass_token
    assert credential.service_token != "old"
    with pytest.raises(MinaAuthError, match="userId and passToken"):
        await flow.sign_in_with_cookie(f"userId={sim.uid}")


async def test_pass_token_refused(
    sim: Simulator, session: aiohttp.ClientSession, endpoints: MinaEndpoints
) -> None:
    """An unknown passToken, or one of another user: MinaAuthError without the token."""
    flow = MinaSignIn(session, endpoints)
    with pytest.raises(MinaAuthError) as err:
        await flow.sign_in_with_pass_token(sim.uid, "V1:not-a-token")
    assert "not-a-token" not in str(err.value)
    other = sim.passport.issue_pass_token(int(sim.uid) + 1)
    with pytest.raises(MinaAuthError):
        await flow.sign_in_with_pass_token(sim.uid, other)


async def test_steps_out_of_order(session: aiohttp.ClientSession, endpoints: MinaEndpoints) -> None:
    """Steps that the state does not allow raise MinaFlowError."""
    flow = MinaSignIn(session, endpoints)
    with pytest.raises(MinaFlowError):
        await flow.submit_captcha("abcd")
    with pytest.raises(MinaFlowError):
        await flow.send_code(TwoFactorMethod.PHONE)
    with pytest.raises(MinaFlowError):
        await flow.verify_code("123456")
    await flow.start("captcha@example.com", DEFAULT_PASSWORD)
    with pytest.raises(MinaFlowError):
        await flow.verify_code("123456")
    flow.reset()
    assert flow.step is None
