"""Spec coverage: how much of every spec document the project has ends up as an entity.

For every MIoT-Spec-V2 instance document in `tests/data/specs` and `tests/data/shared_specs`
(one per model; the first directory wins, as in the simulator) it runs the integration's
discovery and counts, per device type: the devices, the platform of the main entity, how many
properties / actions / events each platform consumes, and how many stay unexposed, with the
reason when it is a deliberate one (not a control or reading a user can use).

    python scripts/spec_coverage.py            # print the report
    python scripts/spec_coverage.py --write    # and write docs/spec-coverage.md
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import json
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.miot_connect.discovery import discover_entities
from custom_components.miot_connect.miot.spec import DeviceSpec, SpecProperty, parse_spec

SPEC_DIRS: tuple[Path, ...] = (
    ROOT / "tests" / "data" / "specs",
    ROOT / "tests" / "data" / "shared_specs",
)
REPORT_PATH = ROOT / "docs" / "spec-coverage.md"

# Why an item has no entity, when that is on purpose.
NO_ACCESS = "no access (action parameter or placeholder)"
ACTION_INPUT = "action with inputs (a service call, not an entity)"
WRITE_ONLY = "write-only value without a range or list (a command payload)"
NOTIFY_ONLY = "notify-only value (pushed with an event, cannot be read)"
OTHER = "readable or writable value / action without inputs"
REASONS: tuple[str, ...] = (NO_ACCESS, ACTION_INPUT, WRITE_ONLY, NOTIFY_ONLY, OTHER)
KINDS: tuple[str, ...] = ("property", "action", "event")

type ItemKey = tuple[str, int, int]


@dataclass
class TypeCoverage:
    """Counts of one device type."""

    devices: int = 0
    main: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)  # kind → count
    exposed: Counter[tuple[str, str]] = field(default_factory=Counter)  # (platform, kind)
    unexposed: Counter[str] = field(default_factory=Counter)  # reason → count
    wanted_formats: Counter[str] = field(default_factory=Counter)  # format (or "action") → count

    def add(self, other: TypeCoverage) -> None:
        """Sum another type's counts into this one."""
        self.devices += other.devices
        self.main.update(other.main)
        self.items.update(other.items)
        self.exposed.update(other.exposed)
        self.unexposed.update(other.unexposed)
        self.wanted_formats.update(other.wanted_formats)

    @property
    def exposed_total(self) -> int:
        """Items consumed by an entity."""
        return sum(self.exposed.values())

    @property
    def unexposed_total(self) -> int:
        """Items no entity consumes."""
        return sum(self.unexposed.values())

    @property
    def wanted_unexposed(self) -> int:
        """Unexposed items without a deliberate reason."""
        return self.unexposed[OTHER]


@dataclass
class Report:
    """Coverage of every spec document."""

    models: list[str] = field(default_factory=list)
    by_type: dict[str, TypeCoverage] = field(default_factory=dict)

    @property
    def total(self) -> TypeCoverage:
        """Sum over every device type."""
        total = TypeCoverage()
        for each in self.by_type.values():
            total.add(each)
        return total


def load_documents(dirs: Iterable[Path] = SPEC_DIRS) -> dict[str, DeviceSpec]:
    """Parsed spec per model (file stem); the first directory that has a model wins."""
    specs: dict[str, DeviceSpec] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*.json")):
            if path.stem not in specs:
                specs[path.stem] = parse_spec(json.loads(path.read_text(encoding="utf-8")))
    return specs


def _reason(spec: DeviceSpec, kind: str, key: ItemKey) -> str:
    _, siid, iid = key
    service = next(svc for svc in spec.services if svc.iid == siid)
    if kind == "action":
        action = service.action(iid)
        assert action is not None
        return ACTION_INPUT if action.in_piids else OTHER
    if kind == "property":
        prop = service.property(iid)
        assert prop is not None
        return _property_reason(prop)
    return OTHER


def _format(spec: DeviceSpec, key: ItemKey) -> str:
    kind, siid, iid = key
    if kind != "p":
        return {"a": "action", "e": "event"}[kind]
    prop = next(svc for svc in spec.services if svc.iid == siid).property(iid)
    assert prop is not None
    return prop.format


def _property_reason(prop: SpecProperty) -> str:
    if not (prop.readable or prop.writable or prop.notifiable):
        return NO_ACCESS
    if (
        prop.writable
        and not prop.readable
        and not prop.value_list
        and prop.value_range is None
        and prop.format != "bool"
    ):
        return WRITE_ONLY
    if not (prop.readable or prop.writable):
        return NOTIFY_ONLY
    return OTHER


def device_coverage(spec: DeviceSpec, model: str) -> TypeCoverage:
    """Counts of one device."""
    result = TypeCoverage(devices=1)
    items: dict[ItemKey, str] = {}
    for service in spec.services:
        for prop in service.properties:
            items[("p", prop.siid, prop.iid)] = "property"
        for action in service.actions:
            items[("a", action.siid, action.iid)] = "action"
        for event in service.events:
            items[("e", event.siid, event.iid)] = "event"
    result.items.update(items.values())
    used: dict[ItemKey, str] = {}
    for info in discover_entities(spec, model):
        platform = str(info.platform)
        if info.main:
            result.main[platform] += 1
        keys: list[ItemKey] = [("p", prop.siid, prop.iid) for prop in info.props.values()]
        keys += [("a", action.siid, action.iid) for action in info.actions.values()]
        if info.action is not None:
            keys.append(("a", info.action.siid, info.action.iid))
        if info.event is not None:
            keys.append(("e", info.event.siid, info.event.iid))
        for key in keys:
            used.setdefault(key, platform)  # a property read by two entities counts once
    for key, platform in used.items():
        result.exposed[(platform, items[key])] += 1
    for key, kind in items.items():
        if key not in used:
            reason = _reason(spec, kind, key)
            result.unexposed[reason] += 1
            if reason == OTHER:
                result.wanted_formats[_format(spec, key)] += 1
    if not result.main:
        result.main["none"] += 1
    return result


def build_report(dirs: Iterable[Path] = SPEC_DIRS) -> Report:
    """Coverage of every document in `dirs`."""
    report = Report()
    for model, spec in sorted(load_documents(dirs).items()):
        report.models.append(model)
        device_type = spec.name or "unknown"
        report.by_type.setdefault(device_type, TypeCoverage()).add(device_coverage(spec, model))
    return report


def _platforms(coverage: TypeCoverage) -> str:
    per_platform: dict[str, Counter[str]] = defaultdict(Counter)
    for (platform, kind), count in coverage.exposed.items():
        per_platform[platform][kind] += count
    parts = []
    for platform in sorted(per_platform):
        counts = per_platform[platform]
        detail = "/".join(str(counts[kind]) for kind in KINDS)
        parts.append(f"{platform} {detail}")
    return ", ".join(parts) or "–"


def _main(coverage: TypeCoverage) -> str:
    return ", ".join(
        f"{platform} ×{count}" if count > 1 else platform
        for platform, count in sorted(coverage.main.items())
    )


def render(report: Report) -> str:
    """The Markdown report."""
    total = report.total
    lines = [
        "# Spec coverage",
        "",
        "Generated by `scripts/spec_coverage.py --write` (a test checks it is current).",
        f"{len(report.models)} spec documents (`tests/data/specs`, `tests/data/shared_specs`), "
        f"{len(report.by_type)} device types.",
        "",
        "Per platform the counts are properties/actions/events consumed by its entities. "
        "*Unexposed* counts the items no entity consumes; *wanted* is the part of them without a "
        "reason that keeps them out of the entity model: readable or writable values and actions "
        "without inputs (see the table at the end).",
        "",
        "## Totals",
        "",
        "| items | properties | actions | events | exposed | unexposed | wanted unexposed |",
        "|---|---|---|---|---|---|---|",
        f"| {sum(total.items.values())} | {total.items['property']} | {total.items['action']} "
        f"| {total.items['event']} | {total.exposed_total} | {total.unexposed_total} "
        f"| {total.wanted_unexposed} |",
        "",
        "## Exposed items per platform",
        "",
        "| platform | properties | actions | events |",
        "|---|---|---|---|",
    ]
    platforms = sorted({platform for platform, _ in total.exposed})
    lines += [
        f"| {platform} | "
        + " | ".join(str(total.exposed[(platform, kind)]) for kind in KINDS)
        + " |"
        for platform in platforms
    ]
    lines += [
        "",
        "## Per device type",
        "",
        "| device type | devices | main platform | exposed (p/a/e per platform) | unexposed "
        "| wanted |",
        "|---|---|---|---|---|---|",
    ]
    for device_type, coverage in sorted(report.by_type.items()):
        lines.append(
            f"| {device_type} | {coverage.devices} | {_main(coverage)} | {_platforms(coverage)} "
            f"| {coverage.unexposed_total} | {coverage.wanted_unexposed} |"
        )
    lines += ["", "## Unexposed items by reason", "", "| reason | items |", "|---|---|"]
    lines += [f"| {reason} | {total.unexposed[reason]} |" for reason in REASONS]
    lines += [
        "",
        "## Wanted unexposed items by format",
        "",
        "Writable strings stay unexposed unless they are a name (text) or a time of day (time): "
        "the others are encoded settings (timers, voice packs, zone lists, JSON).",
        "",
        "| format | items |",
        "|---|---|",
    ]
    lines += [f"| {fmt} | {count} |" for fmt, count in sorted(total.wanted_formats.items())]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; write it with `--write`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help=f"write {REPORT_PATH.name}")
    args = parser.parse_args(argv)
    text = render(build_report())
    if args.write:
        REPORT_PATH.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
