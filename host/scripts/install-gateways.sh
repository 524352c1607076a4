#!/usr/bin/env bash
# install-gateways.sh: installs the files of each gateway of @@DEPLOYMENT@@, from the bundle.
# Rendered from host/scripts/install-gateways.sh (lib/host/runtime-files.ts); do not edit on the host.
# Usage (install-bundle.sh, root): install-gateways.sh <bundle folder> <CloudFront domain|none> <new agent files folder>
#
# For each gateway of <bundle>/openclaw/gateways.list (<id> <user> <port> <agents>):
#   its system user and group (useradd --system, no login, home its state folder; kept if it exists)
#   @@LOG_DIR@@/<id>                 <user> 0750
#   @@GATEWAYS_CONFIG_DIR@@/<id>/     root:<user> 0750: openclaw.json, control-ui-origins.json (with
#                                    https://<CloudFront domain> added), exec-approvals.json, <user> 0400
#   <new agent files folder>/<agent>/ root:<user> 0750, each file root:<user> 0440 (no other
#                                    gateway's user can read them)
#   @@GATEWAYS_LIST@@                root 0644
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written,
# OPENCLAW_GATEWAY_USER replaces every gateway's user (and no user is created).
set -euo pipefail
umask 022
readonly R="${OPENCLAW_INSTALL_ROOT:-}" B=$1 CF=$2 AGENT_NEW=$3
readonly CONFIG_DIR=$R@@CONFIG_DIR@@ GATEWAYS_LIST=$1/openclaw/gateways.list OS_NODE="${OPENCLAW_OS_NODE:-node}"
fail() { printf 'openclaw-install: %s\n' "$*" >&2; exit 1; }
gw_user() { if [ -n "${OPENCLAW_GATEWAY_USER:-}" ]; then echo "$OPENCLAW_GATEWAY_USER"; else echo "$1"; fi; }
TMP="$(mktemp)"
trap 'rm -f "$TMP"' EXIT

# One system user per gateway, no login, no home of its own but its state folder (idempotent).
while read -r gw user _port _agents; do
  user="$(gw_user "$user")"
  id -u "$user" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir "@@STATE_DIR@@/$gw" --shell /usr/sbin/nologin "$user" ||
    fail "cannot create the gateway user $user"
done <"$GATEWAYS_LIST"
install -d -o root -g root -m 0755 "$R@@LOG_DIR@@" "$CONFIG_DIR/gateways"
while read -r gw user _port _agents; do
  user="$(gw_user "$user")"
  install -d -o "$user" -g "$user" -m 0750 "$R@@LOG_DIR@@/$gw"
done <"$GATEWAYS_LIST"
install -o root -g root -m 0644 "$GATEWAYS_LIST" "$R@@GATEWAYS_LIST@@"
# Each gateway's openclaw.json and the files it refers to: its user 0400 (`openclaw security audit`
# warns on group-readable ones) in @@GATEWAYS_CONFIG_DIR@@/<id>/ (root:<user> 0750: no other
# gateway's user reads them); its unit mounts that folder read-only.
while read -r gw user _port _agents; do
  user="$(gw_user "$user")"
  src="$B/openclaw/gateways/$gw" dest="$CONFIG_DIR/gateways/$gw"
  if [ "$CF" = none ]; then
    cp "$src/control-ui-origins.json" "$TMP"
  else
    "$OS_NODE" -e '@@CONTROL_UI_ORIGINS_JS@@' "$src/control-ui-origins.json" "https://$CF" >"$TMP" ||
      fail "cannot add https://$CF to $gw's control-ui-origins.json"
  fi
  install -d -o root -g "$user" -m 0750 "$dest"
  install -o "$user" -g "$user" -m 0400 "$src/openclaw.json" "$dest/openclaw.json"
  install -o "$user" -g "$user" -m 0400 "$TMP" "$dest/control-ui-origins.json"
  install -o "$user" -g "$user" -m 0400 "$src/exec-approvals.json" "$dest/exec-approvals.json"
done <"$GATEWAYS_LIST"
install -d -o root -g root -m 0755 "$AGENT_NEW"
while read -r gw user _port agents; do
  user="$(gw_user "$user")"
  for agent in ${agents//,/ }; do
    [ -d "$B/agents/$agent" ] || fail "bundle has no agents/$agent/ (gateway $gw)"
    install -d -o root -g "$user" -m 0750 "$AGENT_NEW/$agent"
    (cd "$B/agents/$agent" && find . -type f -print0) | while IFS= read -r -d '' f; do
      install -o root -g "$user" -m 0440 "$B/agents/$agent/$f" "$AGENT_NEW/$agent/$f"
    done
  done
done <"$GATEWAYS_LIST"
