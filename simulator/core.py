"""`Simulator`: the cloud model, the aiohttp site and the broker on the running event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import logging
from pathlib import Path
import ssl
import tempfile
from typing import Any

from aiohttp import web

from .broker import AsyncMqttClient, Broker
from .certs import CertPaths, ensure_certificates, sign_csr
from .cloud import Cloud
from .const import INTERNAL_MQTT_USER
from .drift import Drift
from .homes import generate_devices, home_file, load_home_file
from .lan import LanTwin
from .mina import Mina, add_routes as add_mina_routes
from .passport import Passport, add_routes as add_passport_routes
from .server import DEFER_BROKER_RELOAD, build_app
from .spec import PROJECT_SPEC_DIR, JsonDict, SpecStore

_LOGGER = logging.getLogger(__name__)


class Simulator:
    """A twin of the Xiaomi MIoT cloud for tests and development."""

    def __init__(
        self,
        home: str | Path | None = "demo",
        devices: int | None = None,
        state_dir: Path | None = None,
        *,
        tls: bool = True,
        token_ttl: float = 7200,
        host: str = "127.0.0.1",
        port: int = 0,
        mqtt_port: int = 0,
        broker: bool = True,
        spec_dirs: Sequence[Path] | None = None,
        cert_dir: Path | None = None,
        fault_timeout: float = 60.0,
        lan: bool = False,
        drift: float | None = None,
    ) -> None:
        self.home = home
        self.devices = devices
        self.state_dir = Path(state_dir or Path(tempfile.gettempdir()) / "miot-simulator")
        self.tls = tls
        self.host = host
        self.port = port
        self.mqtt_port = mqtt_port
        self.use_broker = broker
        self.cert_dir = cert_dir
        self.fault_timeout = fault_timeout
        dirs = [PROJECT_SPEC_DIR, *(spec_dirs or [])]
        self.cloud = Cloud(SpecStore(dirs), token_ttl=token_ttl)
        self.use_lan = lan
        # Readings wander every `drift` seconds (None: values change only when told to).
        self.drift = Drift(self.cloud, drift) if drift else None
        self.lan: LanTwin | None = None
        self.certs: CertPaths | None = None
        self.broker: Broker | None = None
        self.publisher: AsyncMqttClient | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        if home is not None:
            load_home_file(self.cloud, home_file(home))
        if devices:
            generate_devices(self.cloud, devices)
        self.passport = Passport(self.cloud.uid)
        self.mina = Mina(self.cloud, self.passport)
        self.cloud.action_hook = self.mina.on_action

    # ------------------------------------------------------------------ properties
    @property
    def uid(self) -> str:
        """The account uid (as a string; JSON payloads carry it as a number)."""
        return str(self.cloud.uid)

    @property
    def base_url(self) -> str:
        """Base URL of every HTTP role."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def mqtt_host(self) -> str:
        """Broker host."""
        return self.host

    @property
    def ca_file(self) -> str:
        """Path of the CA PEM (HTTPS and MQTT TLS)."""
        if self.certs is None:
            raise RuntimeError("simulator not started")
        return str(self.certs.ca_file)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start the site and the broker on the running loop."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.certs = ensure_certificates(self.cert_dir or self.state_dir / "certs")
        self._stopping.clear()
        try:
            if self.use_broker:
                self.broker = Broker(
                    self.state_dir, self.certs, self.host, self.mqtt_port, tls=self.tls
                )
                self.mqtt_port = self.broker.port
                self._tokens_changed()  # tokens issued before start(); no process yet: no reload
                await self.broker.start()
                await self._connect_publisher()
                self.cloud.publish_hook = self._publish
                self.cloud.tokens_changed_hook = self._tokens_changed
            if self.use_lan:
                self.lan = LanTwin(self.cloud, self.host)
                await self.lan.start()
            app = build_app(
                self.cloud,
                self._stopping,
                self.restart_broker,
                self._tokens_synced,
                self._sign_csr,
                self.fault_timeout,
                lan=self.lan,
                run_broker=self.run_broker,
            )
            add_passport_routes(app, self.passport)
            add_mina_routes(app, self.mina)
            self._runner = web.AppRunner(
                app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
            )
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self._ssl_context())
            await site.start()
            server = site._server
            assert isinstance(server, asyncio.Server)
            self.port = int(server.sockets[0].getsockname()[1])
            if self.drift is not None:
                self.drift.start()
        except BaseException:
            await self.stop()
            raise

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        assert self.certs is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certs.cert_file, self.certs.key_file)
        return context

    async def stop(self) -> None:
        """Stop the site, the publisher and the broker."""
        self._stopping.set()
        if self.drift is not None:
            await self.drift.stop()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if self.lan is not None:
            lan, self.lan = self.lan, None
            await lan.stop()
        self.cloud.publish_hook = None
        self.cloud.tokens_changed_hook = None
        if self.publisher is not None:
            publisher, self.publisher = self.publisher, None
            await publisher.disconnect()
        if self.broker is not None:
            broker, self.broker = self.broker, None
            await broker.stop()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ broker
    async def _connect_publisher(self) -> None:
        assert self.broker is not None
        if self.publisher is not None:
            await self.publisher.disconnect()
        self.publisher = AsyncMqttClient(
            self.host,
            self.broker.port,
            username=INTERNAL_MQTT_USER,
            password=self.broker.internal_password,
            ca_file=self.ca_file if self.tls else None,
            client_id="miot-simulator-publisher",
        )
        code = await self.publisher.connect()
        if code != 0:
            raise RuntimeError(f"publisher refused by the broker ({code})")

    async def restart_broker(self) -> None:
        """Restart mosquitto on the same port and reconnect the publisher."""
        if self.broker is None:
            return
        await self.broker.restart()
        await self._connect_publisher()

    async def run_broker(self, running: bool) -> None:
        """Stop mosquitto (a broker outage) or start it again on the same port."""
        if self.broker is None:
            return
        if not running:
            if self.publisher is not None:
                publisher, self.publisher = self.publisher, None
                await publisher.disconnect()
            await self.broker.stop()
            return
        if self.broker.running:
            return
        await self.broker.start()
        await self._connect_publisher()

    def _tokens_changed(self) -> None:
        if self.broker is not None:
            valid = self.cloud.valid_access_tokens()
            wait = not DEFER_BROKER_RELOAD.get()
            self.broker.set_client_password(valid[-1] if valid else None, wait=wait)

    async def _tokens_synced(self) -> None:
        """Wait until the broker knows about the latest token change."""
        if self.broker is not None:
            await self.broker.wait_reloaded()

    def _sign_csr(self, csr_pem: bytes) -> str:
        assert self.certs is not None
        return sign_csr(self.certs, csr_pem)

    def _publish(self, topic: str, payload: JsonDict, kind: str) -> None:
        if self.publisher is not None and self.publisher.publish(topic, payload):
            self.cloud.mqtt_counts[kind] += 1
        else:
            _LOGGER.debug("not published (publisher disconnected): %s", topic)

    # ------------------------------------------------------------------ shortcuts
    def issue_tokens(self) -> dict[str, Any]:
        """A token pair for the account, without the browser flow."""
        return self.cloud.issue_tokens()

    async def lan_addresses(self) -> dict[str, tuple[str, int]]:
        """(host, port) of every Wi-Fi device's LAN twin (devices added since are opened first)."""
        if self.lan is None:
            raise RuntimeError("the LAN twin is not running (Simulator(lan=True))")
        await self.lan.sync()
        return self.lan.addresses()
