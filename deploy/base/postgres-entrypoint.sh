#!/bin/sh
# The part of the official postgres image's entrypoint the portal relies on.
set -eu
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "${1:-}" = "postgres" ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
        user="${POSTGRES_USER:-postgres}"
        db="${POSTGRES_DB:-$user}"
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        chown postgres "$pwfile"
        as_postgres initdb --username="$user" --pwfile="$pwfile" \
            --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust \
            --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
        rm -f "$pwfile"
        echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
        echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
        if [ "$db" != "postgres" ]; then
            # A private socket directory: nothing connects during the set-up.
            setup=$(mktemp -d); chown postgres "$setup"
            as_postgres pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -k $setup" start >/dev/null
            as_postgres psql -h "$setup" -U "$user" -d postgres -v ON_ERROR_STOP=1 \
                -c "CREATE DATABASE \"$db\"" >/dev/null
            as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
            rm -rf "$setup"
        fi
        echo "$0: database cluster initialised (user $user, database $db)"
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
fi
exec "$@"
