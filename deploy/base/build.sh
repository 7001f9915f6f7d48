#!/usr/bin/env bash
# Builds, from Debian's own packages, the base images that deploy/compose.yaml and the
# Dockerfile name but that no container registry reachable from CI can provide:
#   python:3.11-slim  nginx:1.27-alpine  postgres:15  redis:7-alpine
# A minimal Debian bookworm (debootstrap --variant=minbase) is imported once as
# localhost/portal-debian-base:bookworm; each stand-in is a small Containerfile on top.
# Images already in podman's storage are kept (pass --force to rebuild them).
# Needs: root, podman, debootstrap. The podman settings (storage driver, runtime,
# ulimits) come from the caller's environment (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
force=false
[ "${1:-}" = "--force" ] && force=true

BASE=localhost/portal-debian-base:bookworm
# stand-in name (Containerfile prefix) -> the name compose.yaml / the Dockerfile use
declare -A IMAGES=(
    [python]="python:3.11-slim"
    [nginx]="nginx:1.27-alpine"
    [postgres]="postgres:15"
    [redis]="redis:7-alpine"
)

log() { printf '[base] %s\n' "$*"; }

missing=()
for key in python nginx postgres redis; do
    if $force || ! podman image exists "docker.io/library/${IMAGES[$key]}"; then
        missing+=("$key")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    log "all base images present in podman's storage: nothing to build"
    exit 0
fi

# The Debian mirror the machine itself uses (deb822 or one-line sources), unless given.
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || { echo "no Debian mirror found: set DEBIAN_MIRROR" >&2; exit 1; }
    echo "$uri"
}

if $force || ! podman image exists "$BASE"; then
    work="$(mktemp -d /var/tmp/portal-debootstrap.XXXXXX)"
    trap 'rm -rf "$work"' EXIT
    mirror="$(debian_mirror)"
    log "debootstrap --variant=minbase bookworm from the machine's Debian mirror"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$work/root" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -40 "$work/debootstrap.log"; exit 1; }
    # The same package sources as the machine (with its security suite), if deb822.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$work/root/etc/apt/sources.list.d/"
        rm -f "$work/root/etc/apt/sources.list"
    fi
    # Keep images small: no documentation, no apt caches.
    printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' \
        >"$work/root/etc/dpkg/dpkg.cfg.d/01-nodoc"
    rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
    log "importing it as $BASE"
    tar -C "$work/root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
    rm -rf "$work"
    trap - EXIT
fi

# The python stand-in gets the interpreter the CI machine runs the suite on (a Python
# 3.11 installed outside /usr, e.g. pyenv's), relocated to /usr/local as in the
# official image; without one, Debian's python3.
python_context() {
    local ctx="$1" py prefix
    py="${PORTAL_BASE_PYTHON:-$(command -v python3.11 || true)}"
    prefix=""
    if [ -n "$py" ]; then
        prefix=$("$py" -c 'import sys; print(sys.base_prefix if sys.version_info[:2] == (3, 11) else "")')
    fi
    if [ -z "$prefix" ] || [ "$prefix" = /usr ] || [ ! -f "$prefix/lib/python3.11/os.py" ]; then
        log "no Python 3.11 of the machine's own outside /usr: using Debian's python3"
        cp "$here/python-debian.Containerfile" "$ctx/Containerfile"
        return
    fi
    log "python stand-in: the machine's $("$py" --version 2>&1) from $prefix"
    tar -C "$prefix" -cf "$ctx/python.tar" \
        --exclude='lib/python3.11/site-packages/*' --exclude='lib/python3.11/test' \
        --exclude='lib/python3.11/idlelib' --exclude='lib/python3.11/tkinter' \
        --exclude='lib/python3.11/turtledemo' --exclude='lib/python3.11/lib-dynload/_tkinter*' \
        --exclude='__pycache__' --exclude='lib/python3.11/config-3.11-*/*.a' \
        bin/python3.11 lib/python3.11 $(cd "$prefix" && ls lib/libpython3.11.so*)
    cp "$here/python.Containerfile" "$ctx/Containerfile"
}

for key in "${missing[@]}"; do
    name="${IMAGES[$key]}"
    ctx="$(mktemp -d /var/tmp/portal-base-ctx.XXXXXX)"
    if [ "$key" = python ]; then
        python_context "$ctx"
    else
        cp "$here/$key.Containerfile" "$ctx/Containerfile"
        cp "$here/$key-entrypoint.sh" "$ctx/"
    fi
    log "building $name (deploy/base/$key.Containerfile)"
    if ! podman build --quiet --pull=never --network=host -f "$ctx/Containerfile" \
        -t "docker.io/library/$name" -t "localhost/$name" "$ctx" >"$ctx/build.log" 2>&1; then
        tail -40 "$ctx/build.log"
        rm -rf "$ctx"
        exit 1
    fi
    rm -rf "$ctx"
done
log "built: ${missing[*]}"
