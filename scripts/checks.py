"""What PosGuard's outside-in check scripts share: counting checks, and the closing line and exit status;
starting the real server with demo data; calling its API; a loopback webhook receiver."""
import json, re, socket, subprocess, sys, threading, time, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {what}", file=sys.stderr)

    def within(self, what, condition, seconds=60):
        """Waits until `condition()` holds; a failed check if it does not within `seconds`."""
        holds = wait_for(condition, seconds)
        self(holds, f"within {seconds} s: {what}")
        return holds

    def finish(self, title):
        print(f"{title}: {self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def wait_for(condition, seconds):
    """Whether `condition()` comes to hold within `seconds`, asked every 0.2 s."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def ready(base):
    """What `/readyz` answers, or None while the server does not answer or is not ready."""
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
            return json.loads(response.read())
    except Exception:
        return None


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_demo_server(binary, *flags):
    """Starts `posguard serve --demo` on a free HTTP port, without the ISO 8583 port, with extra `flags`.
    Returns the process, its base URL (None if it never said) and the demo logins: role → (email, password)."""
    server = subprocess.Popen([binary, "serve", "--demo", "--port", "0", "--iso8583-port", "0", *flags],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base, logins = None, {}
    deadline = time.time() + 120
    while base is None and time.time() < deadline:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server exited before listening")
        m = re.match(r"\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", line)
        if m:
            logins[m.group(1)] = (m.group(2), m.group(3))
        m = re.search(r"HTTP\s+(http://[\d.]+:\d+)/", line)
        if m:
            base = m.group(1)
    return server, base, logins


def call_api(base, method, path, body=None, token=None):
    """One JSON request; returns the status and the decoded body (None when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def webhook_receiver(redirect_to=None):
    """A loopback HTTP server recording every POST; answers 307 to `redirect_to` when given, else 200."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            received.append((dict(self.headers), body))
            self.send_response(307 if redirect_to else 200)
            if redirect_to:
                self.send_header("Location", redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook", received
