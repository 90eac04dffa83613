"""A terminal's agent for the outside-in checks: its own P-256 key (Python's `cryptography`, not PosGuard's
code), signed batches as the agent protocol says, and a sender that streams batches until each is
acknowledged, as an agent does."""
import base64, json, threading, time, urllib.error, urllib.request
from datetime import datetime, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from checks import call_api

# The order of P-256: a signature's s above N/2 is sent as N - s (low-s, as the protocol requires).
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


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

    def event(self, event_type, **fields):
        self.seq += 1
        at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"seq": self.seq, "type": event_type, "at": at, **fields}

    def fix(self, lat, lon):
        return self.event("location", lat=lat, lon=lon, accuracy_m=8, source="gps")


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


class Sender(threading.Thread):
    """A terminal under load: one fix per batch, each batch to the next instance in turn, sent again until
    acknowledged as an agent does: a second later (so with a new timestamp: the same signed message twice is a
    replay), to the next instance, when the connection failed or the answer was 503."""

    def __init__(self, agent, fence, away, bases, stop):
        super().__init__(daemon=True)
        self.agent, self.away, self.bases, self.stop = agent, away, bases, stop
        self.lat, self.lon = fence["latitude"] + (0.0027 if away else 0.0), fence["longitude"]
        self.acked, self.answered, self.refused = 0, [], []

    def run(self):
        turn = 0
        while not self.stop.is_set():
            fix = self.agent.fix(self.lat, self.lon)
            while not self.stop.is_set():
                body, headers = self.agent.signed([fix])
                turn += 1
                status, answer = post(self.bases[turn % len(self.bases)], body, headers, attempts=1)
                if status == 200:
                    self.acked = answer["acked_seq"]
                    self.answered.append(time.time())
                    break
                if status == 0:
                    time.sleep(1)
                elif status != 503:
                    self.refused.append((status, answer))
                    time.sleep(1)


def events_of(base, token, terminal):
    """Every stored event number of a terminal, page by page."""
    seqs, after = [], 0
    while True:
        status, page = call_api(base, "GET", f"/api/v1/terminals/{terminal}/events?after_seq={after}&limit=200",
                                None, token)
        if status != 200 or not page["items"]:
            return seqs
        seqs += [e["seq"] for e in page["items"]]
        after = seqs[-1]
