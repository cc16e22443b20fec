"""Command line of `python -m simulator`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .core import Simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--home", default="demo", help="home name (simulator/homes) or YAML path")
    parser.add_argument("--no-home", action="store_true", help="no home file (use --devices)")
    parser.add_argument("--devices", type=int, default=None, help="add N generated devices")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="HTTP(S) port (0: any free port)")
    parser.add_argument("--mqtt-port", type=int, default=0, help="broker port (0: any free port)")
    parser.add_argument("--state-dir", type=Path, default=Path(".simulator"))
    parser.add_argument("--no-tls", action="store_true", help="plain HTTP and MQTT")
    parser.add_argument("--no-broker", action="store_true", help="do not start mosquitto")
    parser.add_argument("--token-ttl", type=float, default=7200, help="access token lifetime, s")
    parser.add_argument(
        "--lan", action="store_true", help="Wi-Fi devices answer miio on UDP (ports: /_sim/lan)"
    )
    parser.add_argument(
        "--drift",
        type=float,
        default=None,
        metavar="SECONDS",
        help="let readings (temperature, humidity, PM2.5, power, battery) wander every SECONDS",
    )
    parser.add_argument(
        "--spec-dir", type=Path, action="append", default=[], help="extra spec documents"
    )
    return parser.parse_args(argv)


def build_simulator(args: argparse.Namespace) -> Simulator:
    """A simulator configured from parsed arguments."""
    return Simulator(
        home=None if args.no_home else args.home,
        devices=args.devices,
        state_dir=args.state_dir.resolve(),
        tls=not args.no_tls,
        token_ttl=args.token_ttl,
        host=args.host,
        port=args.port,
        mqtt_port=args.mqtt_port,
        broker=not args.no_broker,
        spec_dirs=list(args.spec_dir),
        lan=args.lan,
        drift=args.drift,
    )


def banner(sim: Simulator) -> str:
    """What the command prints once started."""
    lines = [
        f"base_url: {sim.base_url}",
        f"broker: {sim.mqtt_host}:{sim.mqtt_port}" if sim.broker else "broker: none",
        f"ca_file: {sim.ca_file}",
        f"devices: {len(sim.cloud.devices)}",
    ]
    if sim.lan is not None:
        lines.append(f"lan: {len(sim.lan.devices)} Wi-Fi devices (addresses: GET /_sim/lan)")
    return "\n".join(lines)
