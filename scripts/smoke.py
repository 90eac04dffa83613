#!/usr/bin/env python3
"""End-to-end check of the real `posguard` binary from outside, as a client written elsewhere would use it.

Starts `posguard serve --demo` on a free port (SQLite in a temporary directory, or PostgreSQL when
DATABASE_URL is set), then over plain HTTP: signs in, lists and moves terminals, enrols TOTP using the
otpauth URI with pyotp as an independent RFC 6238 implementation, signs in with the code, locks a terminal,
and checks the audit log; checks the master key file is owner-only and, on SQLite, that the database files
hold no TOTP secret in clear. Exits non-zero on the first surprise.

Usage: scripts/smoke.py PATH_TO_POSGUARD
"""
import base64, glob, json, os, re, stat, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

import pyotp
from checks import Checks, call_api, start_demo_server

binary = sys.argv[1]
data_dir = tempfile.mkdtemp(prefix="posguard-smoke-")
check = Checks()
server, base, logins = start_demo_server(binary, "--data-dir", data_dir)


try:
    check(base is not None, "the server printed its URL")
    check(len(logins) == 6, f"a demo login is printed for each of the 6 roles (got {sorted(logins)})")
    key_file = os.path.join(data_dir, "posguard.key")
    check(os.path.exists(key_file) and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600,
          "the first start made an owner-only master key file")

    def call(method, path, body=None, token=None):
        return call_api(base, method, path, body, token)

    email, password = logins["merchant_admin"]
    status, session = call("POST", "/api/v1/session", {"email": email, "password": password})
    check(status == 201 and "token" in session, "a merchant admin signs in")
    token = session["token"]
    status, page = call("GET", "/api/v1/terminals?state=active&limit=5", token=token)
    check(status == 200 and len(page["items"]) == 5, "active terminals are listed")
    terminal = page["items"][0]["id"]

    status, locked = call("POST", f"/api/v1/terminals/{terminal}/transitions", {"to": "locked", "reason": "smoke"}, token)
    check(status == 200 and locked["state"] == "locked", "locking (containment) never waits for a second factor")
    status, problem = call("POST", f"/api/v1/terminals/{terminal}/transitions", {"to": "active", "reason": "smoke"}, token)
    check(status == 403 and problem["type"].endswith("mfa-required"), "unlocking without TOTP is refused")

    status, problem = call("POST", "/api/v1/me/totp", {"password": "not-my-password-9"}, token)
    check(status == 422 and problem["errors"][0]["field"] == "password", "starting TOTP needs the password")
    status, other = call("POST", "/api/v1/session", {"email": email, "password": password})
    other_token = other["token"]
    status, enrolment = call("POST", "/api/v1/me/totp", {"password": password}, token)
    uri = urllib.parse.urlparse(enrolment["otpauth_uri"])
    secret = urllib.parse.parse_qs(uri.query)["secret"][0]
    check(secret == enrolment["secret"], "the URI carries the base32 secret")
    totp = pyotp.parse_uri(enrolment["otpauth_uri"])
    confirmed_at = time.time()
    first_code = totp.at(confirmed_at)
    status, _ = call("POST", "/api/v1/me/totp/confirm", {"totp": first_code}, token)
    check(status == 204, "a pyotp code confirms the enrolment")
    if not os.environ.get("DATABASE_URL"):
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
        stored = b"".join(open(path, "rb").read() for path in glob.glob(os.path.join(data_dir, "posguard.sqlite*")))
        check(raw not in stored and secret.encode() not in stored, "the database files hold no TOTP secret in clear")

    status, problem = call("POST", "/api/v1/session", {"email": email, "password": password})
    check(status == 401 and problem["type"].endswith("totp-required"), "sign-in now asks for a TOTP code")
    status, problem = call("POST", "/api/v1/session", {"email": email, "password": password, "totp": first_code})
    check(status == 401, "the code that confirmed the enrolment does not sign in a second time")
    # The next step's code is inside the one-step tolerance, and has not been used.
    next_code = totp.at(confirmed_at + 30)
    status, session = call("POST", "/api/v1/session", {"email": email, "password": password, "totp": next_code})
    check(status == 201, "sign-in with a fresh pyotp code succeeds")
    status, _ = call("GET", "/api/v1/me", token=token)
    check(status == 200, "the session that enabled TOTP goes on")
    status, _ = call("GET", "/api/v1/me", token=other_token)
    check(status == 401, "enabling TOTP signed out the other session, opened with the password alone")

    admin_email, admin_password = logins["provider_admin"]
    status, session = call("POST", "/api/v1/session", {"email": admin_email, "password": admin_password})
    status, audit = call("GET", f"/api/v1/audit?target_id={terminal}", token=session["token"])
    actions = [entry["action"] for entry in audit["items"]]
    check(actions[-1] == "terminal.transition" and json.loads(audit["items"][-1]["after"])["state"] == "locked",
          f"the lock is in the audit log (got {actions})")
finally:
    server.terminate()
    server.wait(timeout=30)

database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
check.finish(f"smoke test on {database}")
