"""parse_redirect: what a user may copy after signing in, and fresh states."""

from __future__ import annotations

import pytest

from custom_components.miot_connect.miot import RedirectInput, new_oauth_state, parse_redirect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "http://homeassistant.local:8123/api/miot_connect/oauth/callback?code=C3_a&state=s1",
            RedirectInput(code="C3_a", state="s1"),
        ),
        (
            "homeassistant.local:8123/api/miot_connect/oauth/callback?state=s1&code=C3_a#top",
            RedirectInput(code="C3_a", state="s1"),
        ),
        ("  '?code=C3%2Fa&state=s%201'\n", RedirectInput(code="C3/a", state="s 1")),
        ("code=C3_a&state=s1", RedirectInput(code="C3_a", state="s1")),
        ("C3_abc-DEF.123", RedirectInput(code="C3_abc-DEF.123", state=None)),
        (
            "http://x/cb?error=access_denied&state=s1",
            RedirectInput(code="", state="s1", error="access_denied"),
        ),
        ("http://homeassistant.local:8123/", RedirectInput(code="", state=None)),
        ("https://example.invalid/path", RedirectInput(code="", state=None)),
        ("this site can't be reached", RedirectInput(code="", state=None)),
        ("", RedirectInput(code="", state=None)),
    ],
)
def test_parse_redirect(text: str, expected: RedirectInput) -> None:
    """Full addresses, addresses without scheme, queries and bare codes; no code otherwise."""
    assert parse_redirect(text) == expected


def test_states_are_fresh() -> None:
    """Every sign-in attempt gets its own unguessable state."""
    states = {new_oauth_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(state) >= 32 for state in states)
