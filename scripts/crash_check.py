#!/usr/bin/env python3
"""PosGuard on its embedded SQLite, killed with SIGKILL while terminals stream batches, loses no acknowledged
event and judges as if it had never stopped, checked from outside.

`serve --demo` on a data directory of its own; eight terminals enrolled through the API send one fix per batch,
each sent again until acknowledged (half of them 300 m outside their shop). The server is killed with SIGKILL
three times under that load and started again on the same data directory each time. Then: every acknowledged
event is stored exactly once and no terminal's numbering has a hole; each terminal outside its shop has one
geofence breach, raised once (its memory was restored: the excursion is not raised again), and those inside
none. The agents sign with Python's `cryptography` (see agent.py).

Usage: scripts/crash_check.py PATH_TO_POSGUARD
"""
import signal, subprocess, sys, tempfile, threading, time

from agent import Sender, Terminal, events_of
from checks import Checks, call_api, free_port, ready

binary = sys.argv[1]
check = Checks()
data = tempfile.mkdtemp(prefix="posguard-crash-")
port = free_port()
base = f"http://127.0.0.1:{port}"


def start():
    """The server on the same port and data directory each time."""
    process = subprocess.Popen(
        [binary, "serve", "--demo", "--port", str(port), "--iso8583-port", "0", "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=open(f"{data}/server.log", "a"))
    check.within("the server answers", lambda: ready(base) is not None, 120)
    return process


server = start()
senders, stop = [], threading.Event()
try:
    status, session = call_api(base, "POST", "/api/v1/session",
                               {"email": "admin@harbour.demo", "password": "lighthouse-keeper-42"})
    token = session["token"]
    api = lambda method, path, body=None: call_api(base, method, path, body, token)
    status, listing = api("GET", "/api/v1/terminals?state=active&limit=8")
    for n, terminal in enumerate(listing["items"]):
        status, code = api("POST", f"/api/v1/terminals/{terminal['id']}/enrollment-code")
        agent = Terminal(terminal["id"])
        status, _ = call_api(base, "POST", "/agent/v1/enroll",
                             {"code": code["code"], "public_key": agent.public_key(), "serial": terminal["serial"],
                              "tid": terminal["tid"]})
        check(status == 201, f"{terminal['tid']} enrolled ({status})")
        status, store = api("GET", f"/api/v1/stores/{terminal['store_id']}")
        senders.append(Sender(agent, store["geofence"], n % 2 == 0, [base], stop))
    for sender in senders:
        sender.start()

    acked = []
    for crash in range(3):
        time.sleep(3)
        before = sum(s.acked for s in senders)
        server.send_signal(signal.SIGKILL)
        server.wait()
        killed_at = time.time()
        server = start()
        check.within(f"every terminal answered again after crash {crash + 1}",
                     lambda: all(any(t > killed_at for t in s.answered) for s in senders), 60)
        acked.append(before)
    time.sleep(2)
    stop.set()
    for sender in senders:
        sender.join(30)
    check(not any(s.refused for s in senders), f"no batch refused ({[s.refused[:1] for s in senders if s.refused]})")
    print(f"crashes: {sum(s.acked for s in senders)} batches acknowledged across three SIGKILLs "
          f"(acknowledged before each: {acked})")

    for sender in senders:
        seqs = events_of(base, token, sender.agent.id)
        check(seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= sender.acked > 0,
              f"every acknowledged event of {sender.agent.id} stored once, no hole ({len(seqs)} stored, "
              f"acked {sender.acked})")
        status, alerts = api("GET", f"/api/v1/alerts?terminal_id={sender.agent.id}")
        raised = [(a["rule"], a["occurrences"]) for a in alerts["items"]]
        check(raised == ([("geofence_breach", 1)] if sender.away else []),
              f"{'one breach, raised once' if sender.away else 'no alert'} for a terminal "
              f"{'outside' if sender.away else 'inside'} its shop across the crashes ({raised})")
finally:
    stop.set()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()

check.finish("SIGKILL on SQLite under load")
