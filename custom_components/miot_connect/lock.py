"""Locks, only where the spec offers remote control (writable target or lock actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.lock import LockEntity
from homeassistant.const import Platform

from .coordinator import MiotCoordinator
from .discovery import (
    ActionNeed,
    MiotEntityInfo,
    MiotSchema,
    PropertyNeed,
    find_value,
    register_schemas,
    value_options,
)
from .entity import MiotEntity, platform_setup_entry

if TYPE_CHECKING:
    pass

LOCKED_WORDS = ("locked", "lock", "close", "closed")
UNLOCKED_WORDS = ("unlocked", "unlock", "open", "opened")

SCHEMAS: list[MiotSchema] = [
    MiotSchema(
        platform=Platform.LOCK,
        key="lock",
        services=("lock",),
        properties=(
            PropertyNeed(
                "state", ("lock-state", "status", "door-state"), writable=None, value_list=True
            ),
            PropertyNeed(
                "target",
                ("target-state", "lock-control"),
                writable=True,
                value_list=True,
                readable=None,
            ),
        ),
        actions=(
            ActionNeed("lock", ("lock", "close")),
            ActionNeed("unlock", ("unlock", "open")),
        ),
        main=True,
        use_service_name=True,
        check=lambda spec, service, _prop: (
            any(
                (prop.name in ("target-state", "lock-control") and prop.writable)
                for prop in service.properties
            )
            or {"lock", "unlock"} <= {action.name for action in service.actions}
        ),
    ),
]
register_schemas(Platform.LOCK, SCHEMAS)


class MiotLock(MiotEntity, LockEntity):
    """A remotely controllable lock."""

    def __init__(self, coordinator: MiotCoordinator, did: str, info: MiotEntityInfo) -> None:
        """Lock/unlock values from the spec."""
        super().__init__(coordinator, did, info)
        self._state = info.prop("state")
        self._target = info.prop("target")
        self._slugs: dict[Any, str] = (
            dict(value_options(self._state)) if self._state is not None else {}
        )

    @property
    def is_locked(self) -> bool | None:
        """From the state value-list."""
        slug = self._slugs.get(self.value_of(self._state))
        if slug in LOCKED_WORDS:
            return True
        if slug in UNLOCKED_WORDS:
            return False
        return None

    async def _go(self, words: tuple[str, ...], role: str) -> None:
        if self._target is not None:
            await self.async_write(self._target, find_value(self._target, *words))
        else:
            await self.async_run(self.info.actions[role])

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock."""
        await self._go(LOCKED_WORDS, "lock")

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock."""
        await self._go(UNLOCKED_WORDS, "unlock")


async_setup_entry = platform_setup_entry(Platform.LOCK, MiotLock)
