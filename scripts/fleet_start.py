#!/usr/bin/env python3
"""How long a server holding a large fleet takes to start, and how much memory it then holds.

Usage: scripts/fleet_start.py POSGUARD_BINARY [--terminals N] [--runs K] [--keep DIR]

Starts `serve --demo` once on a fresh data directory (the schema and the demo tenant), stops it, adds N
terminals to the demo's first store, each with a saved detection memory like a terminal reporting a GPS fix
every minute, then starts `serve` K times on that directory and prints, for each start, the seconds until
`/healthz` answers and the server's resident memory (now and at its peak). Everything runs on 127.0.0.1.
"""
import argparse
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

MEMORY = (
    '{"lastSeq":%d,"missing":[],"lastSeenAt":1795885527824.9897,"failedLogins":[],"refunds":[],'
    '"silence":"none","newestEventAt":1795885527000,"catchingUp":false,"clockSkewed":false,'
    '"accuracies":{"gps":[16,12,9]},"lastSatelliteFix":{"latitude":%.5f,"longitude":%.5f,'
    '"accuracyM":16,"source":"gps","at":1795885527000},"placings":[{"seq":%d,"outside":false}],'
    '"excursionReported":false,"lastFixSeenAt":1795885527824.9897,"fixSilenceReported":false,'
    '"vagueStreak":[],"placedBefore":true,"blackoutReported":false}'
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data, extra=()):
    port = free_port()
    began = time.monotonic()
    server = subprocess.Popen(
        [binary, "serve", "--data-dir", data, "--port", str(port), "--iso8583-port", "0", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return server, time.monotonic() - began
        except OSError:
            time.sleep(0.1)


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields["VmRSS"], fields["VmHWM"]


def grow(path, count):
    db = sqlite3.connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(terminals)")]
    first = dict(zip(columns, db.execute("SELECT * FROM terminals ORDER BY id LIMIT 1").fetchone()))
    db.execute("BEGIN")
    for start in range(0, count, 20_000):
        terminals, memories = [], []
        for i in range(start, min(start + 20_000, count)):
            row = dict(first, id="01900000-0000-7000-8000-%012d" % i, serial="FLEET-%09d" % i, tid="F%07d" % i)
            terminals.append(tuple(row[c] for c in columns))
            memories.append((row["id"], MEMORY % (i % 500 + 2, 52.5 + i % 100 / 1e4, 13.4, i % 500 + 2),
                             1795885527000))
        db.executemany(
            "INSERT INTO terminals (%s) VALUES (%s)" % (",".join(columns), ",".join("?" * len(columns))), terminals)
        db.executemany("INSERT INTO terminal_watch (terminal_id, state, updated_at) VALUES (?, ?, ?)", memories)
    db.execute("COMMIT")
    db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--terminals", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", help="build the fleet in this directory and keep it")
    args = parser.parse_args()
    data = args.keep or tempfile.mkdtemp(prefix="posguard-fleet-start-")
    try:
        server, _ = start(args.binary, data, ["--demo"])
        server.terminate()
        server.wait()
        began = time.monotonic()
        grow(os.path.join(data, "posguard.sqlite"), args.terminals)
        print(f"fleet:  {args.terminals} terminals with a saved memory each, written in "
              f"{time.monotonic() - began:.0f} s ({os.path.getsize(os.path.join(data, 'posguard.sqlite')) >> 20} MiB)")
        for run in range(1, args.runs + 1):
            server, seconds = start(args.binary, data)
            resident, peak = memory(server.pid)
            print(f"start {run}: /healthz answered after {seconds:.1f} s; RSS {resident} (peak {peak})")
            server.terminate()
            server.wait()
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
