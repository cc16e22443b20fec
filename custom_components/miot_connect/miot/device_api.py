"""The calls that reach a device either way: cloud (`MiotCloudClient`) or LAN (`MiotLanClient`).

A coordinator can hold either behind this protocol and route each call; both return the same
typed results (`PropertyResult`, `out` lists) and raise the same item errors (`MiotPropertyError`,
`MiotActionError`). Transport failures differ: the cloud raises `MiotCloudUnavailableError`
(and subclasses), the LAN raises `MiotLanError` (and subclasses), which is the cue to fall back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .errors import MiotInvalidValueError, MiotPropertyError, error_for_code
from .models import PropertyResult
from .spec import SpecAction, SpecService

type PropertyKey = tuple[str, int, int]
type PropertyWrite = tuple[str, int, int, Any]


def read_value(result: PropertyResult) -> Any:
    """The value of one read (raises the item's error), as both clients promise."""
    if not result.ok:
        raise error_for_code(
            result.code,
            f"read {result.did} {result.siid}.{result.piid} failed: code {result.code}",
            kind=MiotPropertyError,
        )
    return result.value


def write_results(
    writes: Sequence[PropertyWrite], found: Mapping[PropertyKey, PropertyResult]
) -> list[PropertyResult]:
    """Results of `writes` in input order (an item the answer left out failed with -1); a single
    failing write raises its error, as both clients promise."""
    out = [found.get((d, s, p)) or PropertyResult(d, s, p, -1) for d, s, p, _ in writes]
    if len(out) == 1 and not out[0].ok:
        bad = out[0]
        raise error_for_code(
            bad.code,
            f"write {bad.did} {bad.siid}.{bad.piid} failed: code {bad.code}",
            kind=MiotPropertyError,
        )
    return out


class DeviceApiBase:
    """The calls every device API derives from its batch calls: one value, one write, and an
    action with named arguments (the cloud client, the LAN client and the router share them)."""

    async def get_properties(self, keys: Iterable[PropertyKey]) -> list[PropertyResult]:
        """Results in the order of `keys`; failed items carry their code."""
        raise NotImplementedError  # pragma: no cover - every device API defines it

    async def set_properties(self, items: Iterable[PropertyWrite]) -> list[PropertyResult]:
        """Results in input order; a single failing write raises its error."""
        raise NotImplementedError  # pragma: no cover - every device API defines it

    async def call_action(
        self, did: str, siid: int, aiid: int, in_values: Sequence[Any] = ()
    ) -> list[Any]:
        """Run an action with positional `in` values; returns the `out` values."""
        raise NotImplementedError  # pragma: no cover - every device API defines it

    async def get_property(self, did: str, siid: int, piid: int) -> Any:
        """One value (raises the item's error)."""
        (result,) = await self.get_properties([(did, siid, piid)])
        return read_value(result)

    async def set_property(self, did: str, siid: int, piid: int, value: Any) -> PropertyResult:
        """Write one property (raises the item's error)."""
        return (await self.set_properties([(did, siid, piid, value)]))[0]

    async def call_spec_action(
        self,
        did: str,
        service: SpecService,
        action: SpecAction,
        arguments: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run an action with named arguments (spec `in` property names); returns named `out`.

        Values are coerced and validated against the spec before anything is sent.
        """
        return await run_spec_action(self.call_action, did, service, action, arguments)


@runtime_checkable
class MiotDeviceApi(Protocol):
    """Reads, writes and actions on devices by did."""

    async def get_properties(self, keys: Iterable[PropertyKey]) -> list[PropertyResult]:
        """Results in the order of `keys`; failed items carry their code."""
        ...

    async def get_property(self, did: str, siid: int, piid: int) -> Any:
        """One value (raises the item's error)."""
        ...

    async def set_properties(self, items: Iterable[PropertyWrite]) -> list[PropertyResult]:
        """Results in input order; a single failing write raises its error."""
        ...

    async def set_property(self, did: str, siid: int, piid: int, value: Any) -> PropertyResult:
        """Write one property (raises the item's error)."""
        ...

    async def call_action(
        self, did: str, siid: int, aiid: int, in_values: Sequence[Any] = ()
    ) -> list[Any]:
        """Run an action with positional `in` values; returns the `out` values."""
        ...

    async def call_spec_action(
        self,
        did: str,
        service: SpecService,
        action: SpecAction,
        arguments: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run an action with named arguments; returns named `out` values."""
        ...

    async def close(self) -> None:
        """Release what the client holds."""
        ...


type ActionCall = Callable[[str, int, int, Sequence[Any]], Awaitable[list[Any]]]


async def run_spec_action(
    call_action: ActionCall,
    did: str,
    service: SpecService,
    action: SpecAction,
    arguments: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Named `in` arguments (spec property names) → positional call → named `out` values.

    Values are checked against the spec before sending.
    """
    arguments = dict(arguments or {})
    values: list[Any] = []
    for piid in action.in_piids:
        prop = service.property(piid)
        name = prop.name if prop is not None else str(piid)
        if name not in arguments:
            raise MiotInvalidValueError(
                f"action {action.name}: missing argument {name!r}"
                f" (expected {', '.join(_arg_names(service, action.in_piids))})"
            )
        value = arguments.pop(name)
        values.append(prop.coerce(value) if prop is not None else value)
    if arguments:
        raise MiotInvalidValueError(
            f"action {action.name}: unknown argument(s) {', '.join(sorted(arguments))}"
        )
    out = await call_action(did, action.siid, action.iid, values)
    names = _arg_names(service, action.out_piids)
    named = dict(zip(names, out, strict=False))
    for index, value in enumerate(out[len(names) :], start=len(names)):
        named[f"out{index}"] = value
    return named


def _arg_names(service: SpecService, piids: Sequence[int]) -> list[str]:
    return [
        prop.name if (prop := service.property(piid)) is not None else str(piid) for piid in piids
    ]
