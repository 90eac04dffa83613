# A throwaway PostgreSQL from Debian's packages, shared by scripts/test.sh and scripts/cluster.sh (sourced):
#   apt_install PACKAGE...        installs from Debian's packages (sudo when not root)
#   pg_start DIR PORT [OPTION...]  installs PostgreSQL if absent, makes a cluster in DIR/data (user posguard,
#                                  trust on loopback) and starts it on 127.0.0.1:PORT with its socket in DIR;
#                                  sets PG_BIN, and as_pg to run PostgreSQL's tools (PostgreSQL refuses to run
#                                  as root: as root, the cluster belongs to the postgres user)
#   pg_stop DIR                    stops it at once

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

apt_install() {
    printf '\n== installing %s from Debian'"'"'s packages\n' "$*"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_start() {
    local dir=$1 port=$2
    shift 2
    PG_BIN=$(pg_bin)
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        apt_install postgresql
        PG_BIN=$(pg_bin)
    fi
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
        chown postgres "$dir"
        as_pg() { runuser -u postgres -- "$@"; }
    else
        as_pg() { "$@"; }
    fi
    as_pg "$PG_BIN/initdb" -D "$dir/data" -A trust -U posguard -E UTF8 >/dev/null
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $*" start >/dev/null
}

pg_stop() { as_pg "$PG_BIN/pg_ctl" -D "$1/data" -m immediate stop >/dev/null 2>&1 || true; }
