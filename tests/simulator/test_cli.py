"""`python -m simulator` starts, prints its addresses and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import signal
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[2]


async def test_cli_start_stop(socket_enabled: None, tmp_path: Path) -> None:
    """The command prints base URL, broker and CA, then stops its broker on SIGTERM."""
    out = tmp_path / "out.txt"
    process = _spawn(out, tmp_path / "state")
    try:
        for _ in range(1500):
            if "devices:" in out.read_text() or process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        text = out.read_text()
        assert "base_url: https://127.0.0.1:" in text, text
        assert "broker: 127.0.0.1:" in text
        assert "devices: 79" in text
        assert _ca_exists(text)
        process.send_signal(signal.SIGTERM)
        for _ in range(1000):
            if process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        assert process.returncode == 0
        assert out.read_text().rstrip().endswith("stopped")
        pid_text = (tmp_path / "state" / "mosquitto.log").read_text()
        assert "terminating" in pid_text
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _spawn(out: Path, state: Path) -> subprocess.Popen[bytes]:
    with out.open("wb") as stdout:
        return subprocess.Popen(
            [sys.executable, "-m", "simulator", "--state-dir", str(state), "--devices", "50"],
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def _ca_exists(text: str) -> bool:
    line = next(line for line in text.splitlines() if line.startswith("ca_file: "))
    return Path(line.removeprefix("ca_file: ")).is_file()
