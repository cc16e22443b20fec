"""`python -m simulator`: run the cloud simulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from .cli import banner, build_simulator, parse_args


async def _main() -> None:
    sim = build_simulator(parse_args())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await sim.start()
    try:
        print(banner(sim), flush=True)
        await stop.wait()
    finally:
        await sim.stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(_main())
