"""Per-model corrections to discovery.

Discovery matches spec items by their urn short names only. A few real devices describe
themselves in a way that would give a wrong entity; this table is the one place where a device
model changes the outcome. Keep it small and give a reason for every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ModelOverride:
    """What to change for one model.

    skip:       `service:property` short names that must not become entities at all.
    diagnostic: `service:property` short names exposed as diagnostic entities, disabled by default.
    reason:     why the row exists.
    """

    reason: str
    skip: frozenset[str] = field(default_factory=frozenset)
    diagnostic: frozenset[str] = field(default_factory=frozenset)


OVERRIDES: dict[str, ModelOverride] = {
    # The plug's `switch` service carries the temperature of its own relay, not of the room: it is a
    # health
    # reading of the device, so it must not compete with room temperature sensors.
    "chuangmi.plug.212a01": ModelOverride(
        reason="relay temperature is not a room temperature",
        diagnostic=frozenset({"switch:temperature"}),
    ),
    # The Viomi heater reports a `working-time` counter of the current run that the firmware resets
    # at every
    # start; it is not a useful primary reading.
    "viomi.heater.v4": ModelOverride(
        reason="working-time is a firmware counter",
        diagnostic=frozenset({"heater:working-time"}),
    ),
}


def override_for(model: str | None) -> ModelOverride | None:
    """The override row of a model (None: discovery is purely spec based)."""
    if not model:
        return None
    return OVERRIDES.get(model)
