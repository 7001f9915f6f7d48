#!/bin/sh
# What the official nginx image's 20-envsubst-on-templates.sh does, in short.
set -eu
if [ -d /etc/nginx/templates ]; then
    defined=$(env | cut -d= -f1 | sed 's/^/$/' | tr '\n' ' ')
    for template in /etc/nginx/templates/*.template; do
        [ -f "$template" ] || continue
        out="/etc/nginx/conf.d/$(basename "$template" .template)"
        envsubst "$defined" <"$template" >"$out"
        echo "$0: $template -> $out"
    done
fi
exec "$@"
