"""Free TCP ports for processes a test or bench starts.

Ports are picked below the kernel's ephemeral range. A port handed out by
``bind(("127.0.0.1", 0))`` comes *from* that range, so between closing the
probe and the child binding it an outgoing connection (a Kafka or database
client) may take it as its local port, and the child fails with "address
already in use". Ports below the range are never used that way.

A port handed out is not handed out again by this process: a platform asks for a port per
service before any of them binds, and two services given the same free port would find
out only when the second failed to bind (while the first answered its health checks).
"""

from __future__ import annotations

import random
import socket

_LOW, _HIGH = 20000, 28000  # under 32768 (the usual range start), clear of the stack's ports
_handed_out: set[int] = set()


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def can_bind(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_port_block(n: int = 1, host: str = "127.0.0.1") -> int:
    """The first of ``n`` consecutive ports that nothing holds now, below the ephemeral range."""
    high = min(_HIGH, _ephemeral_start()) - n
    rng = random.Random()
    for _ in range(500):
        start = rng.randrange(_LOW, high)
        block = range(start, start + n)
        if _handed_out.isdisjoint(block) and all(can_bind(p, host) for p in block):
            _handed_out.update(block)
            return start
    raise RuntimeError(f"no {n} free consecutive ports between {_LOW} and {high}")


def free_port(host: str = "127.0.0.1") -> int:
    return free_port_block(1, host)
