# Sourced by .ci/run: a throwaway PostgreSQL cluster for the tests that need one.
#
# Installs the server from the distribution's packages when it is missing (apt-get, as root), starts
# a cluster in a temporary folder as an unprivileged user (the server refuses to run as root), on
# loopback and a free port, and exports IMPORTDESK_TEST_PG (its URL). Where that cannot be done it
# exports IMPORTDESK_TEST_PG_UNAVAILABLE (why): the PostgreSQL tests then skip saying so, and the
# rest of the suite runs as before. pg_stop (run at exit) stops the cluster and removes its folder.

pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_install() {
    [ -n "$(pg_bindir)" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)"
        return 1
    fi
    # no default cluster: ours is made per run, in a temporary folder
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
        || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >/tmp/pg-apt.log 2>&1; then
        echo "apt-get could not install postgresql (last lines: $(tail -n 3 /tmp/pg-apt.log | tr '\n' ' '))"
        return 1
    fi
    [ -n "$(pg_bindir)" ] || { echo "postgresql was installed but no initdb was found"; return 1; }
}

pg_start() {
    local why bindir port as_user
    if ! why=$(pg_install); then
        export IMPORTDESK_TEST_PG_UNAVAILABLE="$why"
        echo "PostgreSQL tests will skip: $why" >&2
        return 0
    fi
    bindir=$(pg_bindir)
    PG_DIR=$(mktemp -d /tmp/importdesk-pg.XXXXXX)
    as_user=()
    if [ "$(id -u)" = 0 ]; then
        chown nobody "$PG_DIR"
        as_user=(runuser -u nobody --)
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if ! "${as_user[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U importdesk -A trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$PG_DIR/initdb.log" 2>&1 \
        || ! "${as_user[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c max_connections=200" >/dev/null; then
        why="the test cluster did not start: $(tail -n 3 "$PG_DIR"/*.log 2>/dev/null | tr '\n' ' ')"
        export IMPORTDESK_TEST_PG_UNAVAILABLE="$why"
        echo "PostgreSQL tests will skip: $why" >&2
        return 0
    fi
    PG_CTL=("${as_user[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data")
    export IMPORTDESK_TEST_PG="postgresql://importdesk@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port" >&2
}

pg_stop() {
    if [ -n "${PG_DIR:-}" ]; then
        [ -n "${PG_CTL:-}" ] && "${PG_CTL[@]}" -m immediate stop >/dev/null 2>&1
        rm -rf "$PG_DIR"
    fi
    return 0
}
