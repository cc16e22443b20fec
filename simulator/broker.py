"""The mosquitto broker subprocess and the simulator's own publisher."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
import pwd
import secrets
import signal
import socket
import ssl
import subprocess
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .certs import CertPaths
from .const import CLIENT_ID, INTERNAL_MQTT_USER

_LOGGER = logging.getLogger(__name__)
MOSQUITTO = "/usr/sbin/mosquitto"
_RELOAD_MARK = b"Reloading config."


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def hash_password(password: str, salt: bytes | None = None, iterations: int = 101) -> str:
    """A mosquitto `$7$` (PBKDF2-SHA512) password hash."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


class Broker:
    """mosquitto with TLS and a password file, run with `subprocess.Popen` (no threads)."""

    def __init__(
        self,
        state_dir: Path,
        certs: CertPaths,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
    ) -> None:
        self.state_dir = state_dir
        self.certs = certs
        self.host = host
        self.port = port or free_port(host)
        self.tls = tls
        self.internal_password = secrets.token_urlsafe(24)
        self.conf_file = state_dir / "mosquitto.conf"
        self.password_file = state_dir / "mosquitto.passwd"
        self.log_file = state_dir / "mosquitto.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._client_password = secrets.token_urlsafe(24)
        self._pending_reloads = 0
        self._reloads_seen = 0

    # ---------------------------------------------------------------- configuration
    def _write_config(self) -> None:
        lines = [
            f"listener {self.port} {self.host}",
            "allow_anonymous false",
            f"password_file {self.password_file}",
            "persistence false",
            f"log_dest file {self.log_file}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if self.tls:
            lines += [
                f"cafile {self.certs.ca_file}",
                f"certfile {self.certs.cert_file}",
                f"keyfile {self.certs.key_file}",
                "require_certificate false",
            ]
        if os.geteuid() == 0:
            owner = pwd.getpwuid(self.state_dir.stat().st_uid).pw_name
            lines.append(f"user {owner}")
        self.conf_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_passwords(self) -> None:
        entries = [
            f"{INTERNAL_MQTT_USER}:{hash_password(self.internal_password)}",
            f"{CLIENT_ID}:{hash_password(self._client_password)}",
        ]
        tmp = self.password_file.with_suffix(".tmp")
        tmp.write_text("\n".join(entries) + "\n", encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.password_file)

    def set_client_password(self, token: str | None, *, wait: bool = True) -> None:
        """Let the app user log in with this access token (None: nobody) and reload the broker.

        mosquitto's password file holds one password per user, so this is the newest valid token.
        With `wait` this blocks (briefly) until the broker has re-read the file; otherwise await
        `wait_reloaded()` before telling a client about the token.
        """
        self._client_password = token or secrets.token_urlsafe(24)
        self._write_passwords()
        process = self.process
        if process is None or process.poll() is not None:
            return
        self._pending_reloads += 1
        process.send_signal(signal.SIGHUP)
        if wait:
            deadline = time.monotonic() + 2.0
            while not self._reloaded() and time.monotonic() < deadline:
                time.sleep(0.002)

    async def wait_reloaded(self) -> None:
        """Wait until every requested reload has been done (at most 2 s)."""
        for _ in range(1000):
            if self._reloaded():
                return
            await asyncio.sleep(0.002)

    def _reloaded(self) -> bool:
        if (
            self._pending_reloads
            and self._reload_count() >= self._reloads_seen + self._pending_reloads
        ):
            self._reloads_seen += self._pending_reloads
            self._pending_reloads = 0
        return not self._pending_reloads

    def _reload_count(self) -> int:
        try:
            return self.log_file.read_bytes().count(_RELOAD_MARK)
        except OSError:
            return 0

    # ---------------------------------------------------------------- process
    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log_file.open("ab") as log:
            return subprocess.Popen(
                [MOSQUITTO, "-c", str(self.conf_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start(self) -> None:
        """Start mosquitto and wait until it listens."""
        self._write_config()
        self._write_passwords()
        self._reloads_seen = self._reload_count()
        self._pending_reloads = 0
        self.process = self._spawn()
        deadline = time.monotonic() + 10.0
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log_file.read_text(errors='replace')}")
            try:
                _, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                if time.monotonic() > deadline:
                    await self.stop()
                    raise RuntimeError("mosquitto did not start listening") from None
                await asyncio.sleep(0.02)
            else:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
                return

    async def stop(self) -> None:
        """Terminate mosquitto and wait for it."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            for _ in range(500):
                if process.poll() is not None:
                    break
                await asyncio.sleep(0.01)
            if process.poll() is None:
                process.kill()
                process.wait()

    async def restart(self) -> None:
        """Stop and start again on the same port."""
        await self.stop()
        await self.start()


class AsyncMqttClient:
    """A paho-mqtt client driven by the asyncio loop (add_reader/add_writer): no thread.

    Used by the simulator to publish; tests may use it to subscribe.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str,
        password: str,
        ca_file: str | None,
        client_id: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.ca_file = ca_file
        self.on_message: Callable[[str, Any], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._misc: asyncio.TimerHandle | None = None
        self._connected: asyncio.Future[int] | None = None
        self._sock: Any = None
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"sim-{secrets.token_hex(6)}",
            protocol=mqtt.MQTTv5,
        )
        self.client.username_pw_set(username, password)
        if ca_file is not None:
            context = ssl.create_default_context(cafile=ca_file)
            self.client.tls_set_context(context)
        self.client.on_socket_open = self._on_socket_open
        self.client.on_socket_close = self._on_socket_close
        self.client.on_socket_register_write = self._on_register_write
        self.client.on_socket_unregister_write = self._on_unregister_write
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    # paho callbacks --------------------------------------------------------
    def _on_socket_open(self, client: Any, userdata: Any, sock: Any) -> None:
        assert self._loop is not None
        self._sock = sock
        self._loop.add_reader(sock, client.loop_read)

    def _on_socket_close(self, client: Any, userdata: Any, sock: Any) -> None:
        assert self._loop is not None
        self._loop.remove_reader(sock)
        self._loop.remove_writer(sock)
        self._sock = None

    def _on_register_write(self, client: Any, userdata: Any, sock: Any) -> None:
        assert self._loop is not None
        self._loop.add_writer(sock, client.loop_write)

    def _on_unregister_write(self, client: Any, userdata: Any, sock: Any) -> None:
        assert self._loop is not None
        self._loop.remove_writer(sock)

    def _on_connect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if self._connected is not None and not self._connected.done():
            self._connected.set_result(int(getattr(reason, "value", reason)))

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        if self.on_message is not None:
            try:
                payload = json.loads(message.payload)
            except ValueError:
                payload = message.payload
            self.on_message(message.topic, payload)

    def _tick(self) -> None:
        assert self._loop is not None
        self.client.loop_misc()
        self._misc = self._loop.call_later(1.0, self._tick)

    # public ----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Whether the MQTT session is up."""
        return bool(self.client.is_connected())

    async def connect(self, wait: float = 5.0) -> int:
        """Connect (TCP/TLS setup is synchronous, to a local broker); returns the CONNACK code."""
        self._loop = asyncio.get_running_loop()
        self._connected = self._loop.create_future()
        try:
            self.client.connect(self.host, self.port, keepalive=60)
        except OSError, ssl.SSLError:
            self._connected = None
            raise
        if self._misc is None:
            self._misc = self._loop.call_later(1.0, self._tick)
        try:
            code = await asyncio.wait_for(asyncio.shield(self._connected), wait)
        except TimeoutError:
            code = -1
        if code != 0:
            await self.disconnect()
        return code

    def subscribe(self, topic: str) -> None:
        """Subscribe (QoS 0)."""
        self.client.subscribe(topic, qos=0)

    def publish(self, topic: str, payload: Any) -> bool:
        """Publish a JSON payload (QoS 0); False when not connected."""
        info = self.client.publish(topic, json.dumps(payload), qos=0)
        return bool(info.rc == mqtt.MQTT_ERR_SUCCESS)

    async def disconnect(self) -> None:
        """Disconnect and release every socket and timer."""
        if self._misc is not None:
            self._misc.cancel()
            self._misc = None
        if self.client.is_connected():
            self.client.disconnect()
        if self._sock is not None and self._loop is not None:
            self._on_socket_close(self.client, None, self._sock)
        with contextlib.suppress(Exception):
            self.client._reset_sockets()
        await asyncio.sleep(0)
