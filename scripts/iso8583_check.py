#!/usr/bin/env python3
"""Checks PosGuard's ISO 8583 screening port against an independent implementation, pyiso8583.

Starts `posguard serve --demo` with free HTTP and ISO 8583 ports, finds demo terminals through the REST
API, then over TCP: requests built by pyiso8583 are screened (00 for an active terminal, 58 for a stolen
one, 03 for an unknown TID or a MID that does not match), answers decode with pyiso8583 and echo fields
11/37/41/42, pipelined requests are answered in order, a malformed request is answered 30, an oversized or
truncated frame closes only its own connection. Exits non-zero on the first surprise.

Usage: scripts/iso8583_check.py PATH_TO_POSGUARD
"""
import copy, json, re, socket, struct, subprocess, sys, tempfile, time, urllib.request

import iso8583
from iso8583.specs import default_ascii as spec
from checks import Checks, free_port

binary = sys.argv[1]


http_port, iso_port = free_port(), free_port()
server = subprocess.Popen([binary, "serve", "--demo", "--port", str(http_port), "--iso8583-port", str(iso_port),
                           "--data-dir", tempfile.mkdtemp(prefix="posguard-iso-")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
check = Checks()


def frame(doc):
    raw, _ = iso8583.encode(copy.deepcopy(doc), spec)
    return struct.pack(">H", len(raw)) + bytes(raw)


def read_answer(sock):
    head = b""
    while len(head) < 2:
        chunk = sock.recv(2 - len(head))
        if not chunk:
            return None
        head += chunk
    (length,) = struct.unpack(">H", head)
    body = b""
    while len(body) < length:
        chunk = sock.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    decoded, _ = iso8583.decode(bytearray(body), spec)
    return decoded


def request(mti, tid, mid, stan, pan="4761739001010119"):
    return {"t": mti, "2": pan, "3": "000000", "4": "000000001250", "7": "1125101530", "11": stan, "12": "101530",
            "13": "1125", "22": "051", "25": "00", "37": "5330100" + stan[-5:], "41": tid.ljust(8), "42": mid.ljust(15),
            "49": "978"}


try:
    lines = []
    deadline = time.time() + 120
    while time.time() < deadline and not any("tcp://" in l for l in lines) or not any("http://" in l for l in lines):
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server exited early")
        lines.append(line)
    logins = {m.group(1): (m.group(2), m.group(3)) for l in lines
              if (m := re.match(r"\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", l))}
    base = f"http://127.0.0.1:{http_port}"

    def api(method, path, body=None, token=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read().decode())

    email, password = logins["provider_admin"]
    token = api("POST", "/api/v1/session", {"email": email, "password": password})["token"]
    terminals = api("GET", "/api/v1/terminals?limit=500", token=token)["items"]
    active = next(t for t in terminals if t["state"] == "active")
    stolen = next(t for t in terminals if t["state"] == "stolen")

    sock = socket.create_connection(("127.0.0.1", iso_port), timeout=10)
    cases = [
        (request("0100", active["tid"], active["mid"], "000001"), "0110", "00", "an active terminal is approved"),
        (request("0200", stolen["tid"], stolen["mid"], "000002"), "0210", "58", "a stolen terminal is declined 58"),
        (request("0100", "NOSUCH01", active["mid"], "000003"), "0110", "03", "an unknown TID is declined 03"),
        (request("0100", active["tid"], "WRONGMID", "000004"), "0110", "03", "a TID/MID mismatch is declined 03"),
    ]
    # All four pipelined in one write: answers must come back in order.
    sock.sendall(b"".join(frame(doc) for doc, _, _, _ in cases))
    for doc, mti, code, what in cases:
        answer = read_answer(sock)
        check(answer is not None and answer["t"] == mti and answer["39"] == code, f"{what} (got {answer})")
        if answer:
            check(all(answer.get(f) == doc[f] for f in ["11", "37", "41", "42"]), f"fields 11/37/41/42 echoed: {what}")
            check("2" not in answer, "the card number is never echoed")

    # A request whose amount field holds a letter: a format error, answered 30, on the same connection.
    bad = request("0100", active["tid"], active["mid"], "000005")
    raw, _ = iso8583.encode(copy.deepcopy(bad), spec)
    raw = bytes(raw).replace(b"000000001250", b"00000000125X")
    sock.sendall(struct.pack(">H", len(raw)) + raw)
    answer = read_answer(sock)
    check(answer is not None and answer["t"] == "0110" and answer["39"] == "30", f"a malformed request is answered 30 ({answer})")
    sock.sendall(frame(request("0100", active["tid"], active["mid"], "000006")))
    answer = read_answer(sock)
    check(answer is not None and answer["39"] == "00", "the connection still screens after a format error")
    sock.close()

    # An oversized frame, and a truncated one: each closes only its own connection.
    for garbage in [struct.pack(">H", 60000) + b"0100", struct.pack(">H", 200) + b"0100F2"]:
        s = socket.create_connection(("127.0.0.1", iso_port), timeout=5)
        s.sendall(garbage)
        if garbage[:2] == struct.pack(">H", 200):
            s.shutdown(socket.SHUT_WR)
        check(s.recv(10) == b"", "a bad frame closes its connection without an answer")
        s.close()
    s = socket.create_connection(("127.0.0.1", iso_port), timeout=5)
    s.sendall(frame(request("0200", active["tid"], active["mid"], "000007")))
    answer = read_answer(s)
    check(answer is not None and answer["t"] == "0210" and answer["39"] == "00", "the server carries on after bad frames")
    s.close()

    time.sleep(1.5)  # the decline log is written within a second
    declines = api("GET", f"/api/v1/screening/declines?terminal_id={stolen['id']}", token=token)["items"]
    check(any(d["pan_masked"] == "476173******0119" and "stolen" in d["reasons"] for d in declines),
          f"the stolen terminal's decline is recorded with a masked card ({declines})")
    check(not any("4761739001010119" in json.dumps(d) for d in declines), "no clear card number is stored")
    alerts = api("GET", f"/api/v1/alerts?terminal_id={stolen['id']}&rule=stolen_terminal_used", token=token)["items"]
    check(len(alerts) == 1, "a payment on a stolen terminal raises a stolen_terminal_used alert")
finally:
    server.terminate()
    server.wait(timeout=30)

check.finish("ISO 8583 check against pyiso8583")
