#!/usr/bin/env python3
"""Server memory for nodes in groups (docs/PERFORMANCE.md): starts SERVER on a free port, registers
NODES connections that each send GROUPS_PER_NODE PINGs (so output buffers and the block pool
reach the size the JOIN replies need), reads the server's RSS, has every node join
GROUPS_PER_NODE groups (of GROUP_SIZE members each), reads RSS again, and prints both and the
growth per membership. With GROUPS_PER_NODE 0 it only reports the registered nodes' RSS (run it
against two server builds to compare what a registered node costs).
    scripts/group_memory.py [SERVER] [NODES] [GROUPS_PER_NODE]   (defaults build/switchboard-server 10000 4)
Loopback only; needs NODES + a few descriptors (ulimit -n)."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

server = sys.argv[1] if len(sys.argv) > 1 else "build/switchboard-server"
nodes = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
per_node = int(sys.argv[3]) if len(sys.argv) > 3 else 4
GROUP_SIZE = 16


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def expect(conns, word, count_per_conn):
    """Reads each connection until it has seen `count_per_conn` lines starting with `word`."""
    for c in conns:
        seen, buf = 0, b""
        while seen < count_per_conn:
            data = c.recv(65536)
            if not data:
                sys.exit(f"connection closed while waiting for {word}")
            buf += data
            seen = sum(1 for line in buf.split(b"\n") if line.startswith(word))


with tempfile.TemporaryDirectory() as log_dir:
    flags = ["--max-groups-per-node", str(per_node)] if per_node > 0 else []
    proc = subprocess.Popen([server, "--port", "0", "--log-dir", log_dir, "--log-level", "warn",
                             "--idle-timeout", "600"] + flags, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().rsplit(":", 1)[1])
    conns = []
    for i in range(nodes):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(f"HELLO m{i}\n".encode())
        conns.append(c)
    expect(conns, b"WELCOME", 1)
    for c in conns:
        c.sendall(b"PING\n" * per_node)
    expect(conns, b"PONG", per_node)
    time.sleep(0.5)
    registered = rss_kib(proc.pid)
    if per_node == 0:
        print(f"nodes {nodes}  RSS registered {registered} KiB ({registered * 1024 / nodes:.0f} bytes per node)")
        proc.terminate()
        proc.wait()
        sys.exit(0)
    groups = max(1, nodes * per_node // GROUP_SIZE)
    for i, c in enumerate(conns):
        joins = "".join(f"JOIN #g{(i * per_node + k) % groups}\n" for k in range(per_node))
        c.sendall(joins.encode())
    expect(conns, b"JOINED", per_node)
    time.sleep(0.5)
    joined = rss_kib(proc.pid)
    memberships = nodes * per_node
    print(f"nodes {nodes}  groups {groups}  memberships {memberships}")
    print(f"RSS registered {registered} KiB  in groups {joined} KiB  growth "
          f"{(joined - registered) * 1024 / max(memberships, 1):.1f} bytes per membership")
    for c in conns:
        c.close()
    proc.terminate()
    proc.wait()
