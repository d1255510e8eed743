#!/usr/bin/python3
"""A plain Modbus RTU relay/I-O board, served by pymodbus (Debian package python3-pymodbus).

It stands in for a generic board with no vendor extensions: coils are the relays, discrete inputs
are the latch switches (1 = latched, i.e. "one-is-closed"). A relay that stays on for
--release-ms releases its latch, as a real solenoid lock does; "close N" on stdin shuts door N.
It knows nothing of lockerd's codec: its framing, CRC and function handling are pymodbus's own.

stdout: one JSON object per line: {"event": "ready"}, {"event": "coil", ...}, {"reply": ...}.
"""
import argparse
import asyncio
import json
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", required=True)
    ap.add_argument("--unit", type=int, default=1)
    ap.add_argument("--locks", type=int, default=8)
    ap.add_argument("--baud", type=int, default=9600)
    ap.add_argument("--release-ms", type=int, default=50)
    args = ap.parse_args()
    asyncio.run(serve(args))


async def serve(args):
    loop = asyncio.get_running_loop()
    latches = ModbusSequentialDataBlock(0, [1] * args.locks)
    release_timers = {}

    class Relays(ModbusSequentialDataBlock):
        def setValues(self, address, values):
            super().setValues(address, values)
            for i, v in enumerate(values):
                channel = address + i
                on = bool(v)
                say({"event": "coil", "channel": channel, "on": on, "t": time.monotonic() * 1000})
                timer = release_timers.pop(channel, None)
                if timer:
                    timer.cancel()
                if on:
                    release_timers[channel] = loop.call_later(args.release_ms / 1000, latches.setValues, channel, [0])

    relays = Relays(0, [0] * args.locks)
    # zero_mode: request address n is block address n, as on the wire.
    slave = ModbusSlaveContext(di=latches, co=relays, zero_mode=True)
    context = ModbusServerContext(slaves={args.unit: slave}, single=False)

    def on_stdin():
        line = sys.stdin.readline()
        if not line:
            stdin_closed.set()
            return
        words = line.split()
        if not words:
            return
        if words[0] == "close" and len(words) == 2:
            latches.setValues(int(words[1]) - 1, [1])
            say({"reply": "close", "ok": True})
        elif words[0] == "open" and len(words) == 2:
            latches.setValues(int(words[1]) - 1, [0])
            say({"reply": "open", "ok": True})
        else:
            say({"reply": words[0], "ok": False, "error": "unknown command"})

    stdin_closed = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=args.port, baudrate=args.baud,
        ignore_missing_slaves=True, defer_start=True,
    )
    await server.start()
    say({"event": "ready"})
    # The test ends it by closing stdin (or by a signal).
    await stdin_closed.wait()
    loop.remove_reader(sys.stdin.fileno())
    if server.transport:
        server.transport.close()


if __name__ == "__main__":
    main()
