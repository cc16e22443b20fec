"""Property-based tests (hypothesis): spec parsing and value coercion.

Random spec documents never crash the parser (a broken one is a MiotSpecError), and random
values never crash coercion; whatever coercion lets through is accepted by the simulator's
independent check of the same spec document (`simulator.spec.validate_value`): the connector
never sends a value the spec forbids.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings, strategies as st
from miot import MiotInvalidValueError, MiotSpecError, parse_spec
from miot.spec import INT_RANGES
import pytest

from simulator.spec import SpecError, validate_value

FORMATS = ["bool", "string", "hex", "float", *INT_RANGES]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
numbers = (
    st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=-1000, max_value=1000)
)


@st.composite
def value_ranges(draw: st.DrawFn) -> list[Any]:
    low = draw(numbers)
    high = draw(numbers)
    if draw(st.booleans()):
        return [low, high]
    step = draw(numbers | st.sampled_from([0.1, 0.5, 1, 2, 0.01, 0.001, 5]))
    return [low, high, step]


@st.composite
def property_docs(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "iid": draw(st.integers(min_value=1, max_value=20)),
        "type": "urn:miot-spec-v2:property:thing:00000001:x:1",
        "format": draw(st.sampled_from(FORMATS)),
        "access": ["read", "write", "notify"],
    }
    kind = draw(st.sampled_from(["plain", "range", "list"]))
    if kind == "range":
        doc["value-range"] = draw(value_ranges())
    elif kind == "list":
        doc["value-list"] = [
            {"value": value, "description": description}
            for value, description in draw(
                st.lists(st.tuples(numbers | st.text(max_size=3), st.text(max_size=6)), max_size=4)
            )
        ]
    return doc


# Documents shaped like specs, with random junk anywhere.
spec_like = st.fixed_dictionaries(
    {
        "type": st.text(max_size=10) | st.none(),
        "services": json_values
        | st.lists(
            st.fixed_dictionaries(
                {
                    "iid": json_scalars,
                    "properties": json_values | st.lists(property_docs() | json_values, max_size=3),
                    "actions": json_values,
                    "events": json_values,
                }
            ),
            max_size=3,
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(document=spec_like | json_values)
def test_random_documents_parse_or_fail_clearly(document: Any) -> None:
    """Any JSON: a DeviceSpec or a MiotSpecError, nothing else."""
    try:
        spec = parse_spec(document, "urn:x")
    except MiotSpecError:
        return
    for prop in spec.properties():
        assert prop.allowed()
        assert isinstance(prop.iid, int)


values = json_values | numbers | st.sampled_from(["on", "off", "true", " 7 ", "0x1f", "1e3"])


@settings(max_examples=1500, deadline=None)
@given(doc=property_docs(), value=values)
def test_coerce_never_sends_what_the_spec_forbids(doc: dict[str, Any], value: Any) -> None:
    """Coercion refuses cleanly or gives a value the simulator's own check accepts."""
    try:
        spec = parse_spec({"type": "urn:x", "services": [{"iid": 2, "properties": [doc]}]})
    except MiotSpecError:
        return
    prop = spec.property(2, doc["iid"])
    refused: str | None = None
    try:
        sent = prop.coerce(value)
    except MiotInvalidValueError as err:
        refused = str(err)
    if refused is not None:
        assert len(refused) < 400  # never repeats a huge input
        return
    if doc["format"] == "hex" and isinstance(sent, str):
        assert all(char in "0123456789abcdefABCDEF" for char in sent)
    try:
        validate_value(doc, sent)
    except SpecError as err:
        raise AssertionError(f"{value!r} → {sent!r} is refused by the spec: {err}") from None
    if isinstance(sent, float):
        assert math.isfinite(sent)


@settings(max_examples=800, deadline=None)
@given(doc=property_docs(), value=values)
def test_check_reported_never_crashes(doc: dict[str, Any], value: Any) -> None:
    """A reported value is kept or refused with MiotInvalidValueError; nothing else."""
    try:
        spec = parse_spec({"type": "urn:x", "services": [{"iid": 2, "properties": [doc]}]})
    except MiotSpecError:
        return
    prop = spec.property(2, doc["iid"])
    try:
        kept = prop.check_reported(value)
    except MiotInvalidValueError:
        return
    assert kept is value


@pytest.mark.parametrize(
    ("fmt", "listed"),
    [("uint8", 0.5), ("uint8", 256.0), ("string", 0), ("bool", 7)],
)
def test_value_list_entry_outside_the_format_is_not_sent(fmt: str, listed: Any) -> None:
    """A value-list entry named by its description still has to fit the property's format
    (a malformed spec must not make us send what the device refuses)."""
    doc = {
        "iid": 1,
        "type": "urn:miot-spec-v2:property:thing:00000001:x:1",
        "format": fmt,
        "access": ["read", "write"],
        "value-list": [{"value": listed, "description": "Zero"}],
    }
    try:
        prop = parse_spec(
            {"type": "urn:x", "services": [{"iid": 2, "properties": [doc]}]}
        ).property(2, 1)
    except MiotSpecError:
        return
    try:
        sent = prop.coerce("zero")
    except MiotInvalidValueError:
        return
    validate_value(doc, sent)
