"""Small facts about the machine that the settings need: its names and addresses, and the
secret key kept under var/. No Django here (settings import it before Django is set up)."""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
import struct
from pathlib import Path

_SIOCGIFADDR = 0x8915


def interface_addresses() -> list[str]:
    """The IPv4 address of every network interface that has one (Linux)."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue
            found.append(socket.inet_ntoa(packed[20:24]))
    return found


def local_host_names(*, all_interfaces: bool) -> list[str]:
    """Names under which this machine answers: loopback always; with `all_interfaces` (Rumbo
    listening on 0.0.0.0 for the office network) also its host name and every interface address."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if all_interfaces:
        hostname = socket.gethostname()
        names.update({hostname, f"{hostname}.local", socket.getfqdn()})
        names.update(interface_addresses())
    return sorted(n for n in names if n)


def secret_key_from_file(path: Path) -> str:
    """The installation's secret key, generated on first use and readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()
