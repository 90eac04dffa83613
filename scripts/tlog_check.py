#!/usr/bin/env python3
"""The tamper-evident audit log, checked from outside on the real `posguard` binary with an implementation of
RFC 6962 / RFC 9162 and of C2SP signed notes and checkpoints written here, apart from PosGuard's own, with
`cryptography` for Ed25519. Fetches the verifier key, an inclusion proof and a consistency proof between two
checkpoints from `posguard serve --demo` on loopback, and checks the note signatures, the leaf, the audit path and
the consistency proof; an altered proof or note must fail. Then, with the server stopped, `posguard audit verify`
passes on the untouched database and, after one row is edited in SQLite, exits 1 naming that entry.

Usage: scripts/tlog_check.py PATH_TO_POSGUARD
"""
import base64, hashlib, json, os, sqlite3, subprocess, sys, tempfile, urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checks import Checks, call_api, start_demo_server

binary = sys.argv[1]
check = Checks()


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def parse_verifier_key(vkey):
    """`<name>+<hex key id>+<base64(0x01 || public key)>`; checks the key id is SHA-256(name || 0x0A || 0x01 ||
    key)[:4]. Returns (name, key id, Ed25519 public key)."""
    name, key_id, blob = vkey.split("+", 2)
    raw = base64.b64decode(blob)
    check(raw[0] == 0x01 and len(raw) == 33, "the verifier key is an Ed25519 key")
    computed = sha256(name.encode() + b"\n" + raw)[:4]
    check(computed.hex() == key_id, f"the key id is the first 4 bytes of SHA-256(name, 0x0A, key) ({key_id})")
    return name, computed, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_note(note, name, key_id, public_key):
    """The note's text when a signature line by `name` with this key verifies, else None."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        return None
    text += "\n"
    for line in signatures.splitlines():
        prefix = "\u2014 " + name + " "
        if not line.startswith(prefix):
            continue
        blob = base64.b64decode(line[len(prefix):])
        if len(blob) != 68 or blob[:4] != key_id:
            continue
        try:
            public_key.verify(blob[4:], text.encode())
            return text
        except InvalidSignature:
            pass
    return None


def parse_checkpoint(text):
    """C2SP tlog-checkpoint: origin, decimal size, base64 root, each on its own line."""
    lines = text.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def root_from_inclusion(leaf, index, size, path):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def consistent(first, first_root, second, second_root, proof):
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def get_text(base, path, token=None):
    request = urllib.request.Request(base + path)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return response.headers.get("Content-Type", ""), response.read().decode()


data_dir = tempfile.mkdtemp(prefix="posguard-tlog-")
server, base, logins = start_demo_server(binary, "--data-dir", data_dir)
try:
    email, password = logins["provider_admin"]
    token = call_api(base, "POST", "/api/v1/session", {"email": email, "password": password})[1]["token"]
    call = lambda method, path, body=None: call_api(base, method, path, body, token)

    content_type, vkey = get_text(base, "/api/v1/audit/public-key", token)
    check(content_type.startswith("text/plain"), f"the verifier key is served as text (got {content_type})")
    name, key_id, public_key = parse_verifier_key(vkey.strip())

    entries = call("GET", "/api/v1/audit?limit=500")[1]["items"]
    check(len(entries) > 3, f"the demo wrote audit entries (got {len(entries)})")
    entry = entries[len(entries) // 2]
    status, proof = call("GET", f"/api/v1/audit/entries/{entry['id']}/proof")
    check(status == 200, f"an inclusion proof is served (got {status} {proof})")
    check(isinstance(proof["leaf_index"], int) and isinstance(proof["tree_size"], int),
          "leaf_index and tree_size are integers")
    text = open_note(proof["checkpoint"], name, key_id, public_key)
    check(text is not None, "the checkpoint's note signature verifies under the served key")
    origin, size, root = parse_checkpoint(text)
    check(origin == name, f"the note's key name is the checkpoint's origin ({origin})")
    check(size == proof["tree_size"], f"the checkpoint is for exactly tree_size ({size})")
    entry_bytes = base64.b64decode(proof["entry"])
    check(json.loads(entry_bytes)["id"] == entry["id"], "the leaf's bytes hold the entry's id")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    computed = root_from_inclusion(leaf_hash(entry_bytes), proof["leaf_index"], size, path)
    check(computed == root, "the audit path leads from SHA-256(0x00 || entry) to the signed root (RFC 9162)")
    altered = entry_bytes.replace(b'"v":1', b'"v":2')
    check(root_from_inclusion(leaf_hash(altered), proof["leaf_index"], size, path) != root,
          "an altered entry does not lead to the signed root")
    if path:
        bad_path = [bytes(32)] + path[1:]
        check(root_from_inclusion(leaf_hash(entry_bytes), proof["leaf_index"], size, bad_path) != root,
              "an altered audit path does not lead to the signed root")
    forged = proof["checkpoint"].replace(f"\n{size}\n", f"\n{size + 1}\n")
    check(open_note(forged, name, key_id, public_key) is None, "an altered checkpoint's signature fails")

    # The log grows; the later checkpoint must be consistent with the one held.
    status, merchant = call("POST", "/api/v1/merchants", {"name": "Tlog Check Merchant"})
    check(status == 201, f"a change is made (got {status} {merchant})")
    content_type, latest = get_text(base, "/api/v1/audit/checkpoint", token)
    latest_text = open_note(latest, name, key_id, public_key)
    check(latest_text is not None, "the latest checkpoint verifies")
    _, new_size, new_root = parse_checkpoint(latest_text)
    check(new_size > size, f"the log grew ({size} → {new_size})")
    status, consistency = call("GET", f"/api/v1/audit/consistency?from={size}&to={new_size}")
    check(status == 200 and consistency["tree_size"] == new_size, f"a consistency proof is served (got {status})")
    check(open_note(consistency["checkpoint"], name, key_id, public_key) == latest_text,
          "the consistency proof comes with the signed checkpoint of its size")
    hashes = [bytes.fromhex(h) for h in consistency["proof"]]
    check(consistent(size, root, new_size, new_root, hashes),
          f"the checkpoint of {new_size} entries only appended to the one of {size} (RFC 9162)")
    check(not consistent(size, sha256(b"another history"), new_size, new_root, hashes),
          "the proof fails for another history")
    status, verdict = call("GET", "/api/v1/audit/verify")
    check(status == 200 and verdict == {"ok": True, "tree_size": new_size, "first_bad_entry": None, "problem": None},
          f"the server finds its log intact (got {verdict})")
finally:
    server.terminate()
    server.wait(timeout=30)

if not os.environ.get("DATABASE_URL"):
    verify = [binary, "audit", "verify", "--data-dir", data_dir]
    result = subprocess.run(verify, capture_output=True, text=True, timeout=120)
    check(result.returncode == 0, f"`posguard audit verify` passes the untouched log ({result.stdout.strip()})")
    with sqlite3.connect(os.path.join(data_dir, "posguard.sqlite")) as db:
        edited = db.execute("UPDATE audit_log SET reason = 'nothing to see' WHERE id = ?", (entry["id"].lower(),))
        check(edited.rowcount == 1, "one row is edited directly in the database")
    result = subprocess.run(verify, capture_output=True, text=True, timeout=120)
    check(result.returncode == 1 and entry["id"].lower() in result.stdout.lower(),
          f"`posguard audit verify` exits 1 naming the edited entry ({result.stdout.strip()})")

check.finish("tamper-evident audit log")
