#!/usr/bin/python3
"""Drive Debian's python3-panoramisk parser over a recorded AMI byte stream, without a network.

usage: panoramisk_decoder.py STREAM_FILE CHUNK_BYTES ITERATIONS

It feeds the file in CHUNK_BYTES pieces to panoramisk's own AMIProtocol.data_received, the method
asyncio calls on each socket read: it decodes the bytes, splits on the blank line, builds each
message with Message.from_line, and hands it to handle_message, which dispatches events to the
manager. A stand-in manager counts the events and reads their name, as the Swift side does.
Prints "version <panoramisk version>", then "run <seconds> <messages>" per pass.
"""

import logging
import sys
import time

try:
    import panoramisk
    from panoramisk.ami_protocol import AMIProtocol
except ImportError:
    sys.stderr.write("python3-panoramisk is not installed (apt-get install -y python3-panoramisk)\n")
    sys.exit(3)


class Transport:
    """No socket: panoramisk only writes to or closes it, which a parse never does."""

    def write(self, data):
        pass

    def close(self):
        pass


class CountingManager:
    """What AMIProtocol calls on its factory (panoramisk.Manager) for each event."""

    save_stream = None
    forgetable_actions = ()
    awaiting_actions = []

    def __init__(self):
        self.events = 0
        self.checksum = 0

    def dispatch(self, message):
        self.events += 1
        self.checksum += len(message["Event"])

    def connection_lost(self, exc):
        pass


def package_version():
    try:
        from importlib.metadata import version
        return version("panoramisk")
    except Exception:
        return getattr(panoramisk, "__version__", "unknown")


def run_once(data, chunk):
    protocol = AMIProtocol()
    protocol.connection_made(Transport())
    manager = CountingManager()
    protocol.factory = manager
    protocol.encoding = "utf8"  # panoramisk.Manager's default
    view = memoryview(data)
    start = time.perf_counter()
    for offset in range(0, len(data), chunk):
        # asyncio hands data_received a bytes object per read.
        protocol.data_received(bytes(view[offset:offset + chunk]))
    elapsed = time.perf_counter() - start
    return elapsed, manager.events


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(64)
    path, chunk, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    logging.basicConfig(level=logging.WARNING)
    with open(path, "rb") as f:
        data = f.read()
    print("version", package_version(), "on Python", sys.version.split()[0], flush=True)
    for _ in range(iterations):
        elapsed, events = run_once(data, chunk)
        print("run %.6f %d" % (elapsed, events), flush=True)


if __name__ == "__main__":
    main()
