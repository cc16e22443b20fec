"""The example program of docs/connector.md runs against the simulator."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import re
import sys
from urllib.parse import parse_qs, quote, urlsplit

from .conftest import LIB_DIR, ROOT, SimFactory


def _example() -> str:
    text = (ROOT / "docs" / "connector.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks, "docs/connector.md has no python example"
    return str(blocks[-1])


async def test_docs_example_runs(make_sim: SimFactory, tmp_path: Path) -> None:
    """Login via the authorize URL, list devices, read/write, push, in a separate process."""
    h = await make_sim(6, broker=True)
    script = tmp_path / "example.py"
    lib = tmp_path / "lib"

    def prepare() -> None:
        script.write_text(_example(), "utf-8")
        lib.mkdir()
        (lib / "miot").symlink_to(LIB_DIR, target_is_directory=True)

    await asyncio.to_thread(prepare)
    # No COV_CORE_* variables: the temporary example must not show up in the coverage report.
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("COV_CORE_")},
        "PYTHONPATH": str(lib),
        "MIOT_BASE_URL": h.sim.base_url,
        "MIOT_MQTT_HOST": h.sim.mqtt_host,
        "MIOT_MQTT_PORT": str(h.sim.mqtt_port),
        "MIOT_CA_FILE": h.sim.ca_file,
        "MIOT_LISTEN": "1.5",
        "MIOT_TOKEN_FILE": str(tmp_path / "token.json"),
        "MIOT_SPEC_CACHE": str(tmp_path / "specs"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    async with asyncio.timeout(60):
        first = (await proc.stdout.readline()).decode()
        url = first.split("approve:", 1)[1].strip()
        query = parse_qs(urlsplit(url).query)
        redirect, state = query["redirect_uri"][0], query["state"][0]
        answer = await h.control(
            "GET", f"oauth/code?redirect_uri={quote(redirect, safe='')}&state={state}"
        )
        proc.stdin.write(f"{answer['code']}\n".encode())
        await proc.stdin.drain()
        out, err = await proc.communicate()
    output = out.decode()
    assert proc.returncode == 0, err.decode()[-3000:]
    assert "Logged in as" in output
    assert "set to" in output
    assert "push: PropertyChange" in output
    assert "push connected" in output
    assert (tmp_path / "token.json").exists()
