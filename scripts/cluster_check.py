#!/usr/bin/env python3
"""Three real `posguard serve` processes on one PostgreSQL behave as one system, checked from outside.

Each instance is started with nothing but its own port (and, shared, the database URL and the master key).
A terminal enrolled through the API sends its signed batches round-robin to the three: the geofence rule
(three fixes outside) fires exactly once and the gap-free numbering raises no `event_gap`. A signed batch
replayed at another instance is refused. Five wrong passwords spread over the three lock the account on all.
A webhook receiver on loopback counts deliveries: none twice. Then one instance is killed with SIGKILL while
the terminal goes on sending: within 15 s its slots are held by the others and the terminal's batches
answered, and every acknowledged event is in the database once. The agent's signatures are made here with the
`cryptography` package (P-256, low-s), not with PosGuard's code.

Usage: DATABASE_URL=postgres://... scripts/cluster_check.py PATH_TO_POSGUARD
"""
import base64, json, os, secrets, signal, subprocess, sys, tempfile, time, urllib.request
from datetime import datetime, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from checks import Checks, call_api, free_port, webhook_receiver

binary = sys.argv[1]
check = Checks()
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def start(port, key, data):
    """One instance: its own port and data directory; the database and the master key shared."""
    env = dict(os.environ, POSGUARD_MASTER_KEY=key)
    process = subprocess.Popen(
        [binary, "serve", "--demo", "--port", str(port), "--iso8583-port", "0", "--data-dir", data,
         "--webhook-allow", "127.0.0.0/8"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "server.log"), "w"))
    return process


def ready(base):
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
            return json.loads(response.read())
    except Exception:
        return None


def wait(what, condition, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    check(False, f"within {seconds} s: {what}")
    return False


class Terminal:
    """An agent with its own P-256 key, signing as the agent protocol says."""

    def __init__(self, terminal_id):
        self.id = terminal_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.seq = 0

    def public_key(self):
        raw = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
        return base64.b64encode(raw).decode()

    def signed(self, events):
        body = json.dumps({"events": events}).encode()
        timestamp = str(int(time.time()))
        message = b"POST\n/agent/v1/events\n" + timestamp.encode() + b"\n" + body
        r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(hashes.SHA256())))
        s = min(s, N - s)
        signature = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
        headers = {"Content-Type": "application/json", "PosGuard-Terminal": self.id,
                   "PosGuard-Timestamp": timestamp, "PosGuard-Signature": signature}
        return body, headers

    def fix(self, lat, lon):
        self.seq += 1
        at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"seq": self.seq, "type": "location", "at": at, "lat": lat, "lon": lon, "accuracy_m": 8,
                "source": "gps"}


def post(base, body, headers, attempts=5):
    """Sends a signed batch as an agent does: a 503 (the terminal's slot changing hands) is sent again after
    its Retry-After, a few times."""
    for _ in range(attempts):
        request = urllib.request.Request(base + "/agent/v1/events", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"null")
            if error.code != 503:
                return error.code, answer
            time.sleep(float(error.headers.get("Retry-After", "1")))
        except Exception as error:
            return 0, str(error)
    return 503, "still moving"


key = base64.b64encode(secrets.token_bytes(32)).decode()
ports = [free_port() for _ in range(3)]
bases = [f"http://127.0.0.1:{p}" for p in ports]
directories = [tempfile.mkdtemp(prefix="posguard-cluster-") for _ in ports]
processes = [start(p, key, d) for p, d in zip(ports, directories)]
try:
    wait("three instances share the 64 slots",
         lambda: all(ready(b) for b in bases) and sum(ready(b)["slots"] for b in bases) == 64
         and all(ready(b)["slots"] > 0 for b in bases))
    check(len({ready(b)["instance"] for b in bases}) == 3, "each instance has an id of its own")

    # Throttle: five wrong passwords spread over the instances hold the account on every one.
    email, password = "manager.berlin@kiez-baeckerei.demo", "spree-bruecke-1920"
    for i in range(5):
        status, _ = call_api(bases[i % 3], "POST", "/api/v1/session", {"email": email, "password": "wrong-guess-123"})
        check(status == 401, f"wrong password {i + 1} refused ({status})")
    for base in bases:
        status, _ = call_api(base, "POST", "/api/v1/session", {"email": email, "password": password})
        check(status == 429, f"the account waits on {base} after five failures elsewhere ({status})")

    status, session = call_api(bases[0], "POST", "/api/v1/session",
                               {"email": "admin@harbour.demo", "password": "lighthouse-keeper-42"})
    token = session["token"]
    api = lambda method, path, body=None, at=0: call_api(bases[at], method, path, body, token)
    hook_url, received = webhook_receiver()
    status, hook = api("POST", "/api/v1/webhooks", {"url": hook_url, "minimum_severity": "warning"})
    check(status == 201, f"webhook created ({status} {hook})")

    status, page = api("GET", "/api/v1/terminals?state=active&limit=1")
    chosen = page["items"][0]
    status, store = api("GET", f"/api/v1/stores/{chosen['store_id']}")
    fence = store["geofence"]
    status, code = api("POST", f"/api/v1/terminals/{chosen['id']}/enrollment-code", at=1)
    agent = Terminal(chosen["id"])
    status, _ = call_api(bases[2], "POST", "/agent/v1/enroll",
                         {"code": code["code"], "public_key": agent.public_key(), "serial": chosen["serial"],
                          "tid": chosen["tid"]})
    check(status == 201, f"enrolled through the third instance ({status})")

    # Round-robin: each batch one fix 300 m north of the shop, to the next instance.
    acked, last = 0, None
    for i in range(6):
        body, headers = agent.signed([agent.fix(fence["latitude"] + 0.0027, fence["longitude"])])
        status, answer = post(bases[i % 3], body, headers)
        check(status == 200, f"batch {i + 1} answered by instance {i % 3 + 1} ({status} {answer})")
        if status == 200:
            acked = answer["acked_seq"]
        last = (body, headers)
    status, alerts = api("GET", f"/api/v1/alerts?terminal_id={agent.id}")
    rules = sorted(a["rule"] for a in alerts["items"])
    check(rules == ["geofence_breach"], f"one geofence breach and no event gap across three instances ({rules})")
    check(all(a["occurrences"] == 1 for a in alerts["items"]), "raised once")
    for base in bases:
        status, _ = post(base, *last)
        check(status == 409, f"the last batch replayed at {base} is refused ({status})")

    # An instance dies mid-stream (SIGKILL: no goodbye); the terminal keeps sending to the others.
    victim = 1
    processes[victim].send_signal(signal.SIGKILL)
    processes[victim].wait()
    killed_at = time.time()
    survivors = [b for i, b in enumerate(bases) if i != victim]
    recovered = None
    fix = agent.fix(fence["latitude"], fence["longitude"])
    while time.time() - killed_at < 30:
        body, headers = agent.signed([fix])
        status, answer = post(survivors[int(time.time()) % 2], body, headers, attempts=1)
        if status == 200:
            recovered = time.time() - killed_at
            acked = answer["acked_seq"]
            break
        time.sleep(0.3)
    check(recovered is not None and recovered < 15,
          f"the terminal is answered by the others within 15 s of SIGKILL (after {recovered} s)")
    wait("the two survivors hold every slot within 15 s",
         lambda: sum((ready(b) or {"slots": 0})["slots"] for b in survivors) == 64, max(1, 15 - (time.time() - killed_at)))
    status, events = call_api(survivors[0], "GET", f"/api/v1/terminals/{agent.id}/events?limit=100", None, token)
    seqs = sorted(e["seq"] for e in events["items"])
    check(seqs == list(range(1, acked + 1)), f"every acknowledged event is stored once ({seqs}, acked {acked})")

    wait("the webhook deliveries arrive", lambda: len(received) >= 1, 20)
    time.sleep(3)
    deliveries = [headers.get("PosGuard-Webhook-Id") for headers, _ in received]
    check(len(deliveries) == len(set(deliveries)), f"no webhook delivered twice ({deliveries})")
finally:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()

check.finish("several instances on one PostgreSQL")
