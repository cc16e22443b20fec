"""Property-based tests (hypothesis) of the services' input checks: siid/piid/aiid and values."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import probatio
import pytest

from custom_components.miot_connect.services import (
    CALL_ACTION_SCHEMA,
    SET_PROPERTY_SCHEMA,
)

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from([".inf", "-.inf", "nan", "2.9", " 3 ", "0x10", "1e3", "٣"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _exact_iid(value: Any) -> int | None:
    """The iid a human means by `value`, or None when it is not a whole number 1..65535."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdecimal():
        try:
            number = int(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if 1 <= number <= 0xFFFF else None


@SETTINGS
@given(siid=anything, piid=anything, value=anything)
def test_set_property_schema(siid: Any, piid: Any, value: Any) -> None:
    """Refused with probatio.Invalid, or iids exactly as meant (never truncated) and a value."""
    refused: str | None = None
    try:
        data = SET_PROPERTY_SCHEMA({"siid": siid, "piid": piid, "value": value})
    except probatio.Invalid as err:
        refused = str(err)
    if refused is not None:
        assert len(refused) < 300
        return
    assert data["siid"] == _exact_iid(siid)
    assert data["piid"] == _exact_iid(piid)
    assert data["value"] is not None


@SETTINGS
@given(siid=anything, aiid=anything)
def test_call_action_schema(siid: Any, aiid: Any) -> None:
    """The same for actions."""
    try:
        data = CALL_ACTION_SCHEMA({"siid": siid, "aiid": aiid})
    except probatio.Invalid:
        assert _exact_iid(siid) is None or _exact_iid(aiid) is None
        return
    assert (data["siid"], data["aiid"]) == (_exact_iid(siid), _exact_iid(aiid))


@pytest.mark.parametrize("iid", ["٣", "²"])
def test_unicode_digits_are_whole_numbers_or_refused(iid: str) -> None:
    """Non-ASCII digits: int() reads "٣" as 3; "²" is decimal-looking but not a number."""
    try:
        data = SET_PROPERTY_SCHEMA({"siid": iid, "piid": 1, "value": 1})
    except probatio.Invalid:
        return
    assert data["siid"] == int(iid)
