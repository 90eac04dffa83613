#!/usr/bin/env python3
"""Stops a real PostgreSQL under a running PosGuard and starts it again, checking what clients see.

Starts `posguard serve --demo` on DATABASE_URL, enrolls a terminal's agent (P-256 signatures made with the
`cryptography` package), then runs the command in $PG_STOP. While the database is down: the REST API and
the agent endpoint answer 503 with Retry-After (never 500), /readyz answers 503, /healthz 200, and the ISO
8583 port keeps screening from memory. After $PG_START: the server recovers without a restart, and the
batch refused during the outage, sent again, is stored exactly once. Exits non-zero on the first surprise.

Usage: DATABASE_URL=... PG_STOP="..." PG_START="..." scripts/outage_check.py PATH_TO_POSGUARD
"""
import base64, copy, json, os, re, socket, struct, subprocess, sys, tempfile, time, urllib.error, urllib.request

import iso8583
from iso8583.specs import default_ascii as spec
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from checks import Checks, free_port

binary = sys.argv[1]
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


http_port, iso_port = free_port(), free_port()
base = f"http://127.0.0.1:{http_port}"
server = subprocess.Popen([binary, "serve", "--demo", "--port", str(http_port), "--iso8583-port", str(iso_port),
                           "--data-dir", tempfile.mkdtemp(prefix="posguard-outage-")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
check = Checks()


def call(method, path, body=None, token=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, dict(response.headers), json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, dict(error.headers), json.loads(text) if text else None


class Agent:
    def __init__(self, terminal_id):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.terminal_id = terminal_id

    @property
    def public_key(self):
        raw = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
        return base64.b64encode(raw).decode()

    def post(self, path, body):
        data = json.dumps(body).encode()
        timestamp = str(int(time.time()))
        r, s = decode_dss_signature(self.key.sign(f"POST\n{path}\n{timestamp}\n".encode() + data,
                                                  ec.ECDSA(hashes.SHA256())))
        s = min(s, P256_ORDER - s)  # the protocol accepts low-s signatures only
        signature = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
        return call("POST", path, raw=data, headers={"PosGuard-Terminal": self.terminal_id,
                                                      "PosGuard-Timestamp": timestamp,
                                                      "PosGuard-Signature": signature})


def screen(tid, mid):
    doc = {"t": "0100", "2": "4761739001010119", "3": "000000", "4": "000000001250", "7": "1125101530",
           "11": "000001", "12": "101530", "13": "1125", "22": "051", "25": "00", "37": "000000000001",
           "41": tid.ljust(8), "42": mid.ljust(15), "49": "978"}
    raw, _ = iso8583.encode(copy.deepcopy(doc), spec)
    with socket.create_connection(("127.0.0.1", iso_port), timeout=10) as sock:
        sock.sendall(struct.pack(">H", len(raw)) + bytes(raw))
        head = sock.recv(2)
        (length,) = struct.unpack(">H", head)
        body = b""
        while len(body) < length:
            body += sock.recv(length - len(body))
    decoded, _ = iso8583.decode(bytearray(body), spec)
    return decoded["39"]


def wait_ready(deadline_seconds):
    deadline = time.time() + deadline_seconds
    while time.time() < deadline:
        try:
            if call("GET", "/readyz")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


try:
    logins = {}
    for line in server.stdout:
        m = re.match(r"\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", line)
        if m:
            logins[m.group(1)] = (m.group(2), m.group(3))
        if "HTTP  http://" in line:
            break
    check(wait_ready(60), "the server is ready on PostgreSQL")
    email, password = logins["merchant_admin"]
    status, _, session = call("POST", "/api/v1/session", {"email": email, "password": password})
    token = session["token"]
    status, _, page = call("GET", "/api/v1/terminals?state=active&limit=1", token=token)
    terminal = page["items"][0]
    status, _, code = call("POST", f"/api/v1/terminals/{terminal['id']}/enrollment-code", token=token)
    agent = Agent(terminal["id"])
    status, _, enrolled = call("POST", "/agent/v1/enroll", {"code": code["code"], "public_key": agent.public_key,
                                                            "serial": terminal["serial"], "tid": terminal["tid"]})
    check(status == 201, "an agent enrolls")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    batch = {"events": [{"seq": 1, "type": "heartbeat", "at": now, "battery": 80}]}
    check(screen(terminal["tid"], terminal["mid"]) == "00", "the active terminal is approved before the outage")

    subprocess.run(os.environ["PG_STOP"], shell=True, check=True)
    status, headers, problem = call("GET", "/api/v1/terminals", token=token)
    check(status == 503 and headers.get("Retry-After") == "5" and problem["type"].endswith(":unavailable"),
          f"the API answers 503 with Retry-After while PostgreSQL is down (got {status})")
    status, headers, _ = agent.post("/agent/v1/events", batch)
    check(status == 503 and headers.get("Retry-After") == "5",
          f"the agent endpoint answers 503 with Retry-After while PostgreSQL is down (got {status})")
    check(call("GET", "/readyz")[0] == 503, "/readyz says the database is unreachable")
    check(call("GET", "/healthz")[0] == 200, "/healthz still answers: the process is alive")
    check(screen(terminal["tid"], terminal["mid"]) == "00", "screening answers from memory during the outage")

    subprocess.run(os.environ["PG_START"], shell=True, check=True)
    check(wait_ready(60), "the server recovers without a restart")
    status, _, answer = agent.post("/agent/v1/events", batch)
    check(status == 200 and answer["acked_seq"] == 1, f"the batch sent again is acknowledged (got {status})")
    status, _, events = call("GET", f"/api/v1/terminals/{terminal['id']}/events", token=token)
    check(status == 200 and [e["seq"] for e in events["items"]] == [1], "and stored exactly once")
finally:
    server.terminate()
    server.wait(timeout=30)

check.finish("database outage on PostgreSQL")
