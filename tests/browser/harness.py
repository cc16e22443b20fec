"""A real Home Assistant process and Debian's Chromium (driven by Playwright) for browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time

import aiohttp
from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)

ROOT = Path(__file__).resolve().parents[2]
USER = "demo"
PASSWORD = "demo-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--lang=en-US",
    # Only 127.0.0.1 is used: every other name fails without a DNS query (homeassistant.local
    # then cannot be opened, as for a user whose network has no mDNS).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

CONFIGURATION = """\
homeassistant:
  name: Home
  country: CN
  time_zone: Asia/Shanghai
  unit_system: metric
frontend:
config:
logger:
  default: warning
"""


def chromium_path() -> str:
    """Debian's chromium (scripts/setup installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium is not installed: run scripts/setup (it installs it)")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def home_assistant(config: Path) -> AsyncIterator[str]:
    """Start `python -m homeassistant` with a fresh config directory; yields its base URL.

    The process is stopped (SIGTERM, then SIGKILL) when the block ends.
    """
    port = free_port()
    (config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = config / "custom_components" / "miot_connect"
    if not link.exists():
        link.symlink_to(ROOT / "custom_components" / "miot_connect")
    (config / "configuration.yaml").write_text(CONFIGURATION, encoding="utf-8")
    _write_http_store(config, port)
    log = (config / "home-assistant.out").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "homeassistant",
        "--config",
        str(config),
        "--skip-pip",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_up(url, proc)
        yield url
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        log.close()


def _write_http_store(config: Path, port: int) -> None:
    """The HTTP server settings as Home Assistant stores them once confirmed.

    (Settings from YAML would be a pending trial that the frontend asks to confirm.)
    """
    stable = {
        **HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port}),
        "created_at": "2026-01-01T00:00:00+00:00",
        "error": None,
        "error_message": None,
    }
    store = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": "http",
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    (config / ".storage").mkdir(exist_ok=True)
    (config / ".storage" / "http").write_text(json.dumps(store), encoding="utf-8")


async def _wait_until_up(url: str, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"Home Assistant exited with {proc.returncode}")
            try:
                async with http.get(f"{url}/manifest.json") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("Home Assistant did not start in time")


def home_assistant_log(config: Path) -> str:
    """What the Home Assistant process printed."""
    return (config / "home-assistant.out").read_text(encoding="utf-8", errors="replace")
