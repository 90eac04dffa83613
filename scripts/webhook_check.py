#!/usr/bin/env python3
"""Webhook address rules, checked from outside on the real `posguard` binary with loopback receivers only.

A bad `--webhook-allow` stops `serve` with a clear message. Without the allow-list a loopback receiver is
refused — at once when the URL is an address, at delivery when it is a name (the delivery log says why) —
and receives nothing. With `--webhook-allow 127.0.0.0/8` it receives the delivery, whose signature is
checked here independently (HMAC-SHA256 over "t.body"); a receiver answering 307 to another one is not
followed. Exits non-zero on the first surprise.

Usage: scripts/webhook_check.py PATH_TO_POSGUARD
"""
import hashlib, hmac, subprocess, sys, tempfile, time

from checks import Checks, call_api, start_demo_server, webhook_receiver as receiver

binary = sys.argv[1]
check = Checks()


def serve(*flags):
    return start_demo_server(binary, "--data-dir", tempfile.mkdtemp(prefix="posguard-webhooks-"), *flags)


def client(base, logins):
    """Signs the merchant admin in; returns a call(method, path, body) with its token."""
    email, password = logins["merchant_admin"]
    token = call_api(base, "POST", "/api/v1/session", {"email": email, "password": password})[1]["token"]
    return lambda method, path, body=None: call_api(base, method, path, body, token)


bad = subprocess.run([binary, "serve", "--webhook-allow", "10.0.0.1/8"], capture_output=True, text=True, timeout=60)
check(bad.returncode != 0 and "did you mean 10.0.0.0/8" in bad.stderr,
      f"a bad --webhook-allow stops serve with a clear message (got {bad.stderr.strip()!r})")

def test_delivery(call, hook_id):
    """Queues a test delivery and waits for the background sender's first attempt; returns the delivery log."""
    status, queued = call("POST", f"/api/v1/webhooks/{hook_id}/test")
    check(status == 202 and queued["attempts"] == 0, "the test delivery is queued, not sent inside the request")
    deadline = time.time() + 15
    while time.time() < deadline:
        log = call("GET", f"/api/v1/webhooks/{hook_id}/deliveries")[1]["items"]
        if log and log[-1]["attempts"] > 0:
            return log
        time.sleep(0.2)
    return log


url, received = receiver()
port = url.split(":")[2].split("/")[0]
server, base, logins = serve()
try:
    call = client(base, logins)
    for refused in [url, f"http://0x7f000001:{port}/hook", f"http://[::1]:{port}/", "http://169.254.169.254/"]:
        status, problem = call("POST", "/api/v1/webhooks", {"url": refused})
        check(status == 422 and [e["field"] for e in problem.get("errors", [])] == ["url"],
              f"{refused} is refused at once, naming url (got {status} {problem})")
    status, hook = call("POST", "/api/v1/webhooks", {"url": f"http://localhost:{port}/hook"})
    check(status == 201, "a host name is accepted when subscribing")
    log = test_delivery(call, hook["id"])
    check(log and log[0].get("last_error", "").startswith("refused: 127.0.0.1 is a loopback address"),
          f"the delivery log says why nothing was sent (got {log})")
    check(not received, "the loopback receiver got nothing")
finally:
    server.terminate()
    server.wait(timeout=30)

elsewhere, elsewhere_received = receiver()
redirecting, redirecting_received = receiver(redirect_to=elsewhere)
server, base, logins = serve("--webhook-allow", "127.0.0.0/8")
try:
    call = client(base, logins)
    status, hook = call("POST", "/api/v1/webhooks", {"url": url})
    check(status == 201, "with the allow-list a loopback receiver may be subscribed")
    test_delivery(call, hook["id"])
    check(len(received) == 1, "it receives the test delivery")
    if received:
        headers, body = received[0]
        parts = dict(p.split("=", 1) for p in headers.get("PosGuard-Webhook-Signature", "").split(","))
        mac = hmac.new(hook["secret"].encode(), f"{parts.get('t')}.{body}".encode(), hashlib.sha256).hexdigest()
        check(hmac.compare_digest(mac, parts.get("v1", "")), "its signature checks out independently")
    status, hook = call("POST", "/api/v1/webhooks", {"url": redirecting})
    log = test_delivery(call, hook["id"])
    check(len(redirecting_received) == 1 and log and log[0].get("last_status_code") == 307,
          f"a 307 answer is logged as a failed attempt (got {log})")
    check(not elsewhere_received, "the redirect is not followed")
finally:
    server.terminate()
    server.wait(timeout=30)

check.finish("webhook address rules")
