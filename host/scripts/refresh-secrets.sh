#!/usr/bin/env bash
# refresh-secrets.sh: re-reads the secrets of @@DEPLOYMENT@@ (openclaw-secrets-refresh.service).
# Rendered from host/scripts/refresh-secrets.sh (lib/host/runtime-files.ts); do not edit on the host.
#
# Started every 15 minutes by openclaw-secrets-refresh.timer, and at once by the
# rotation functions through the SSM document <deployment>-refresh-secrets. Runs the
# retrieval program in refresh mode (fetch-secrets.sh --refresh): it rewrites only the
# files whose value changed, printing `openclaw-secrets: changed <id>` for each, and on
# failure leaves every file as it was (the running gateway keeps working). Then:
#   origin-verify changed   -> nginx reloads (no dropped connection): it accepts the
#                              current, pending and previous values, so a rotation
#                              never refuses CloudFront
#   any other secret changed -> the gateway restarts (clients reconnect; a gateway that
#                              failed at boot for want of a secret starts now)
# Exit status: the program's (0 when nothing or something changed).
#
# Overrides (tests only): OPENCLAW_FETCH_SECRETS [@@LIBEXEC_DIR@@/fetch-secrets.sh], SYSTEMCTL [systemctl].
set -euo pipefail
FETCH="${OPENCLAW_FETCH_SECRETS:-@@LIBEXEC_DIR@@/fetch-secrets.sh}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"

out="$("$FETCH" --refresh)"
printf '%s\n' "$out"
reload_nginx=no
restart_gateway=no
while IFS= read -r line; do
  case "$line" in
    "openclaw-secrets: changed origin-verify") reload_nginx=yes ;;
    "openclaw-secrets: changed "*) restart_gateway=yes ;;
  esac
done <<<"$out"
if [ "$reload_nginx" = yes ]; then
  echo "openclaw-secrets: origin-verify changed: reloading nginx"
  "$SYSTEMCTL" reload-or-restart nginx.service
fi
if [ "$restart_gateway" = yes ]; then
  echo "openclaw-secrets: gateway secrets changed: restarting @@GATEWAY_UNIT@@ (clients reconnect)"
  "$SYSTEMCTL" restart @@GATEWAY_UNIT@@
fi
