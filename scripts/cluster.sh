#!/usr/bin/env bash
# PosGuard as three instances on one PostgreSQL behind HAProxy, on this machine, from Debian's packages:
# the deployment the README's "Running several instances" describes, to try or to copy.
#
#   scripts/cluster.sh            # http://127.0.0.1:8080/ (HAProxy) → instances on 8081, 8082, 8083
#
# Everything lives in a throwaway directory (PostgreSQL's data, each instance's data directory, the logs) and
# stops with Ctrl-C. POSGUARD=path/to/posguard uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/pg.sh
command -v haproxy >/dev/null || apt_install haproxy
if [ -z "${POSGUARD:-}" ]; then
    swift build -c release --product posguard 2>&1 | grep -E "error:|Compiling posguard|Build" || true
    POSGUARD="$(swift build -c release --show-bin-path)/posguard"
fi

DIR=$(mktemp -d /tmp/posguard-cluster.XXXXXX)
PG_PORT=55499
pg_start "$DIR" "$PG_PORT"
export DATABASE_URL="postgres://posguard@127.0.0.1:$PG_PORT/postgres"
# One master key for all instances: they read each other's sealed secrets.
export POSGUARD_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
echo "$POSGUARD_MASTER_KEY" >"$DIR/master.key"

pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pg_stop "$DIR"
    echo "stopped; logs and data in $DIR"
}
trap stop EXIT INT TERM

for n in 1 2 3; do
    mkdir -p "$DIR/instance$n"
    "$POSGUARD" serve --demo --port "808$n" --iso8583-port "858$n" --data-dir "$DIR/instance$n" \
        >"$DIR/instance$n/server.log" 2>&1 &
    pids+=($!)
done

cat >"$DIR/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option httpchk GET /readyz
frontend posguard
    bind 127.0.0.1:8080
    default_backend instances
backend instances
    # Any instance may take any request: a terminal's batches are sent on to the instance holding its store.
    # Hashing on the terminal's header saves that hop.
    balance hdr(PosGuard-Terminal)
    server one 127.0.0.1:8081 check inter 2s
    server two 127.0.0.1:8082 check inter 2s
    server three 127.0.0.1:8083 check inter 2s
EOF
haproxy -f "$DIR/haproxy.cfg" -db >"$DIR/haproxy.log" 2>&1 &
pids+=($!)

for n in 1 2 3; do
    for _ in $(seq 1 300); do
        curl -sf "http://127.0.0.1:808$n/readyz" >/dev/null 2>&1 && break
        sleep 0.2
    done
done
echo "PosGuard: http://127.0.0.1:8080/ through HAProxy; instances:"
for n in 1 2 3; do echo "  http://127.0.0.1:808$n/readyz  $(curl -s "http://127.0.0.1:808$n/readyz")"; done
echo "Demo logins as printed in $DIR/instance1/server.log. Ctrl-C stops everything."
wait
