"""The spec coverage report (scripts/spec_coverage.py) over every spec document of the project."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "spec_coverage", ROOT / "scripts" / "spec_coverage.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


coverage = _load()


def test_report_is_consistent() -> None:
    """Every item of every document is counted once: exposed (by one platform) or unexposed."""
    report = coverage.build_report()
    stems = {path.stem for directory in coverage.SPEC_DIRS for path in directory.glob("*.json")}
    assert sorted(stems) == report.models
    assert len(report.models) >= 180
    total = report.total
    assert total.devices == len(report.models)
    assert sum(total.main.values()) == total.devices
    for device_type, each in report.by_type.items():
        assert sum(each.items.values()) == each.exposed_total + each.unexposed_total, device_type
        for kind in coverage.KINDS:
            exposed = sum(n for (_, k), n in each.exposed.items() if k == kind)
            assert exposed <= each.items[kind], (device_type, kind)
    assert set(total.unexposed) <= set(coverage.REASONS)
    assert total.wanted_unexposed == total.unexposed[coverage.OTHER]
    assert sum(total.wanted_formats.values()) == total.wanted_unexposed
    # Counted independently: every property, action and event of every document.
    items = sum(
        len(svc.properties) + len(svc.actions) + len(svc.events)
        for spec in coverage.load_documents().values()
        for svc in spec.services
    )
    assert sum(total.items.values()) == items


def test_document_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/spec-coverage.md is the script's output (regenerate it with --write)."""
    assert coverage.main([]) == 0
    text = capsys.readouterr().out
    assert text == coverage.REPORT_PATH.read_text(encoding="utf-8")
    assert f"{len(coverage.build_report().models)} spec documents" in text


def test_reasons() -> None:
    """Items without access, write-only payloads and action parameters are told apart."""
    from custom_components.miot_connect.miot.spec import parse_spec

    doc = {
        "type": "urn:miot-spec-v2:device:outlet:0000A002:test:1",
        "description": "outlet",
        "services": [
            {
                "iid": 2,
                "type": "urn:test-spec:service:custom:00007801:test:1",
                "description": "Custom",
                "properties": [
                    {
                        "iid": 1,
                        "type": "urn:test-spec:property:id:1:test:1",
                        "description": "Id",
                        "format": "string",
                        "access": [],
                    },
                    {
                        "iid": 2,
                        "type": "urn:test-spec:property:cmd:2:test:1",
                        "description": "Cmd",
                        "format": "string",
                        "access": ["write"],
                    },
                    {
                        "iid": 3,
                        "type": "urn:test-spec:property:log:3:test:1",
                        "description": "Log",
                        "format": "string",
                        "access": ["notify"],
                    },
                    {
                        "iid": 4,
                        "type": "urn:test-spec:property:blob:4:test:1",
                        "description": "Blob",
                        "format": "string",
                        "access": ["read", "write"],
                    },
                ],
                "actions": [
                    {
                        "iid": 1,
                        "type": "urn:test-spec:action:go:1:test:1",
                        "description": "Go",
                        "in": [1],
                        "out": [],
                    },
                ],
            }
        ],
    }
    result = coverage.device_coverage(parse_spec(doc), "test.outlet.v1")
    assert result.main == {"none": 1}
    assert result.unexposed == {
        coverage.NO_ACCESS: 1,
        coverage.WRITE_ONLY: 1,
        coverage.NOTIFY_ONLY: 1,
        coverage.OTHER: 1,
        coverage.ACTION_INPUT: 1,
    }
    assert result.wanted_formats == {"string": 1}
