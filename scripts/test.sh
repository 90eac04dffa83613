#!/usr/bin/env bash
# The whole test suite, as CI runs it: format lint; an independent check of the OpenAPI document; an
# end-to-end smoke test of the real binary from Python (pyotp as an independent TOTP) on SQLite and on
# PostgreSQL; SIGKILL under load on SQLite; PostgreSQL stopped and started under a running server; three instances on one PostgreSQL (the
# simulator through HAProxy, SIGKILL under load); the fleet simulator, the audit log's proofs
# checked in Python and an ISO 8583 check with pyiso8583 against the real server; the console in headless Chromium
# driven by selenium, in English and Simplified Chinese (Chromium, its driver and CJK fonts installed from Debian's
# packages when absent); then
# every Swift test on SQLite and on PostgreSQL, with a real SMTP server (aiosmtpd) for the email tests. PostgreSQL is a throwaway cluster,
# installed from Debian's packages when absent, started on a free port in a temporary directory, removed
# afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

source scripts/pg.sh

PG_DIR=$(mktemp -d /tmp/posguard-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
    pg_stop "$PG_DIR"
    rm -rf "$PG_DIR"
    if [ -n "${SMTP_PID:-}" ]; then kill "$SMTP_PID" 2>/dev/null || true; rm -rf "$SMTP_DIR"; fi
}
trap stop_pg EXIT

log "starting a throwaway PostgreSQL on port $PG_PORT"
pg_start "$PG_DIR" "$PG_PORT" -c fsync=off -c max_connections=500
export POSGUARD_TEST_DATABASE_URL="postgres://posguard@127.0.0.1:$PG_PORT/postgres"

log "swift format lint --strict"
swift format lint --strict --recursive Package.swift Sources Tests

log "OpenAPI document checked by openapi-spec-validator"
python3 -c 'import openapi_spec_validator, pyotp, aiosmtpd, cryptography, iso8583' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator pyotp aiosmtpd cryptography pyiso8583
python3 -c '
import json
from openapi_spec_validator import validate
validate(json.load(open("Sources/PosGuardWeb/Resources/openapi.json")))
print("openapi.json is a valid OpenAPI 3.1 document")
'

log "building posguard"
swift build --product posguard 2>&1 | { grep -E "error:|Build" || true; }
POSGUARD="$(swift build --show-bin-path)/posguard"

log "smoke test of the real server: SQLite"
python3 scripts/smoke.py "$POSGUARD"
log "fleet simulator against the real server: every scenario detected, no false alert"
SIM_DIR=$(mktemp -d /tmp/posguard-sim.XXXXXX)
SIM_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$POSGUARD" serve --demo --port "$SIM_PORT" --iso8583-port 0 --data-dir "$SIM_DIR" >"$SIM_DIR/server.log" 2>&1 &
SIM_PID=$!
python3 - "$SIM_PORT" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=1)
        break
    except Exception:
        time.sleep(0.2)
PY
"$POSGUARD" simulate --url "http://127.0.0.1:$SIM_PORT" --hours 24 --speed 4320 --check | grep -v '^[0-9]*% sim'
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; rm -rf "$SIM_DIR"

log "fleet benchmark, briefly: a server process, enrolled terminals, signed batches on a schedule, every tamper alerted"
"$POSGUARD" bench fleet --terminals 300 --seconds 5 --rate 200 --connections 16 --check | grep -v '^ *[0-9]* s '

log "a start with a fleet's saved detection memories, briefly (scripts/fleet_start.py; 600,000 by default)"
python3 scripts/fleet_start.py "$POSGUARD" --terminals 5000 --runs 1

log "SIGKILL on SQLite under load, three times: no acknowledged event lost, detection's memory restored"
python3 scripts/crash_check.py "$POSGUARD"

log "webhook address rules on the real server, loopback receivers only"
python3 scripts/webhook_check.py "$POSGUARD"

log "audit log proofs checked by an independent RFC 6962 and signed-note implementation"
python3 scripts/tlog_check.py "$POSGUARD"

log "ISO 8583 screening port checked against pyiso8583"
python3 scripts/iso8583_check.py "$POSGUARD"

log "the console in headless Chromium (selenium): English and Simplified Chinese"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    apt_install chromium chromium-driver fonts-noto-cjk
fi
python3 -c 'import selenium, pyotp' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check selenium pyotp
python3 scripts/console_browser_test.py "$POSGUARD"

log "smoke test of the real server: PostgreSQL"
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U posguard smoke
DATABASE_URL="postgres://posguard@127.0.0.1:$PG_PORT/smoke" python3 scripts/smoke.py "$POSGUARD"

log "three instances on one PostgreSQL: the simulator through HAProxy, one judge per terminal, replays refused anywhere, SIGKILL under load survived"
command -v haproxy >/dev/null || apt_install haproxy
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U posguard cluster
DATABASE_URL="postgres://posguard@127.0.0.1:$PG_PORT/cluster" python3 scripts/cluster_check.py "$POSGUARD"

log "PostgreSQL stopped and started under a running server: 503 with Retry-After, then recovery"
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U posguard outage
PG_CTL="$PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w"
[ "$(id -u)" -eq 0 ] && PG_CTL="runuser -u postgres -- $PG_CTL"
DATABASE_URL="postgres://posguard@127.0.0.1:$PG_PORT/outage" PG_STOP="$PG_CTL -m fast stop" \
    PG_START="$PG_CTL -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500' start" \
    python3 scripts/outage_check.py "$POSGUARD"

log "starting a real SMTP server (aiosmtpd, STARTTLS) for the email tests"
SMTP_DIR=$(mktemp -d /tmp/posguard-smtp.XXXXXX)
python3 scripts/smtp_sink.py "$SMTP_DIR" >"$SMTP_DIR/server.log" 2>&1 &
SMTP_PID=$!
for _ in $(seq 1 100); do grep -q '^ready' "$SMTP_DIR/server.log" 2>/dev/null && break; sleep 0.1; done
export POSGUARD_TEST_SMTP_PORT=$(head -n 1 "$SMTP_DIR/server.log" | awk '{print $2}')
export POSGUARD_TEST_SMTP_DIR="$SMTP_DIR"

log "swift test (SQLite and PostgreSQL)"
swift test 2>&1 | grep -v '^\[[0-9]*/[0-9]*\] \(Compiling\|Emitting\|Wrapping\|Write\|Linking\|Merging\)'
