#!/usr/bin/env bash
# refresh-secrets.sh: re-reads the secrets of @@DEPLOYMENT@@ (openclaw-secrets-refresh.service).
# Rendered from host/scripts/refresh-secrets.sh (lib/host/runtime-files.ts); do not edit on the host.
#
# Started every 15 minutes by openclaw-secrets-refresh.timer, and at once by the
# rotation functions through the SSM document <deployment>-refresh-secrets. Runs the
# retrieval program in refresh mode (fetch-secrets.sh --refresh): it rewrites only the
# files whose value changed, printing `openclaw-secrets: changed <id>` for each, and on
# failure leaves every file as it was (the running gateways keep working). Then:
#   origin-verify changed   -> nginx reloads (no dropped connection): it accepts the
#                              current, pending and previous values, so a rotation
#                              never refuses CloudFront
#   a gateway's secret changed -> that gateway restarts, and only that one (its clients
#                              reconnect; a gateway that failed at boot for want of a secret
#                              starts now; a gateway whose breaker tripped stays stopped: its
#                              unit's condition skips the start). The gateway of a secret is
#                              the folder of its file in @@SECRETS_MANIFEST@@:
#                              @@SECRETS_DIR@@/<gateway id>/... -> @@GATEWAY_UNIT_PREFIX@@<gateway id>.service
#   any other secret changed -> every gateway restarts (@@GATEWAYS_TARGET@@: its units are PartOf= it)
# Exit status: the program's (0 when nothing or something changed), else systemctl's.
#
# Overrides (tests only): OPENCLAW_FETCH_SECRETS [@@LIBEXEC_DIR@@/fetch-secrets.sh], SYSTEMCTL [systemctl],
# OPENCLAW_NODE [@@NODE@@], OPENCLAW_SECRETS_MANIFEST [@@SECRETS_MANIFEST@@].
set -euo pipefail

FETCH="${OPENCLAW_FETCH_SECRETS:-@@LIBEXEC_DIR@@/fetch-secrets.sh}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
NODE="${OPENCLAW_NODE:-@@NODE@@}"
MANIFEST="${OPENCLAW_SECRETS_MANIFEST:-@@SECRETS_MANIFEST@@}"
readonly SECRETS_DIR=@@SECRETS_DIR@@

out="$("$FETCH" --refresh)"
printf '%s\n' "$out"

# Secret id -> its file, from the manifest (names and paths only).
declare -A file_of=()
while read -r id file; do
  [ -n "$id" ] && file_of[$id]=$file
done < <("$NODE" -e 'for (const s of require(process.argv[1]).secrets) console.log(s.id + " " + s.file)' "$MANIFEST")

reload_nginx=no
restart_all=no
units=()
while IFS= read -r line; do
  case "$line" in
    "openclaw-secrets: changed origin-verify") reload_nginx=yes ;;
    "openclaw-secrets: changed "*)
      id="${line#openclaw-secrets: changed }"
      file="${file_of[$id]:-}"
      rest="${file#"$SECRETS_DIR"/}"
      gateway="${rest%%/*}"
      if [ -n "$file" ] && [ "$rest" != "$file" ] && [ "$gateway" != "$rest" ] && [[ "$gateway" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
        unit="@@GATEWAY_UNIT_PREFIX@@$gateway.service"
        [[ " ${units[*]} " == *" $unit "* ]] || units+=("$unit")
      else
        restart_all=yes
      fi
      ;;
  esac
done <<<"$out"
if [ "$reload_nginx" = yes ]; then
  echo "openclaw-secrets: origin-verify changed: reloading nginx"
  "$SYSTEMCTL" reload-or-restart nginx.service
fi
if [ "$restart_all" = yes ]; then
  echo "openclaw-secrets: a secret of no single gateway changed: restarting every gateway (@@GATEWAYS_TARGET@@; clients reconnect)"
  "$SYSTEMCTL" restart @@GATEWAYS_TARGET@@
elif [ "${#units[@]}" -gt 0 ]; then
  echo "openclaw-secrets: gateway secrets changed: restarting ${units[*]} (its clients reconnect; the other gateways keep running)"
  "$SYSTEMCTL" restart "${units[@]}"
fi
