#!/usr/bin/env bash
# prepare-state.sh: the state folders of @@DEPLOYMENT@@, on the state volume.
# Rendered from host/scripts/prepare-state.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by install-bundle.sh (root) once the agent files are installed and checked.
#
# 1. Starts @@STATE_VOLUME_UNIT@@ (attach-state-volume.sh: attach the state volume, a file system
#    only on a blank one, mount it on @@STATE_DIR@@ and @@SPEND_METER_STATE_DIR@@) BEFORE anything
#    is written to the state folders: the mount would hide it. A failure is that unit's one
#    FAILED line and metric; this script then exits 1 and the installer stops.
# 2. Per gateway of @@GATEWAYS_LIST@@: @@STATE_DIR@@/<id> and its workspaces (its user 0700, owned
#    by that user throughout: a new host's user may have another uid), and, in each of its agents'
#    workspaces, an empty file at each agent file's path: the mount point of its unit's
#    BindReadOnlyPaths= (the agent file of @@AGENT_FILES_DIR@@, read-only). @@STATE_DIR@@ itself is
#    root 0755. What the agents wrote on the volume stays as it is; the single gateway's state of
#    an earlier version (files at the top of @@STATE_DIR@@, @@USER@@'s) is kept in place, not read,
#    not deleted.
# 3. A folder of @@STATE_DIR@@ that no gateway of the list owns (its agent removed) and that is
#    neither root's nor @@USER@@'s becomes root's, 0700, contents kept: its user is gone with the
#    old host, and a gateway user made on this one may have been given the same numeric uid.
#    Adding the agent back gives it to its new user again (step 2).
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written,
# OPENCLAW_GATEWAY_USER replaces every gateway's user, OPENCLAW_GATEWAYS_LIST the list,
# OPENCLAW_EARLIER_USER replaces @@USER@@.
set -euo pipefail
umask 022

readonly R="${OPENCLAW_INSTALL_ROOT:-}"
readonly AGENT_DIR=$R@@AGENT_FILES_DIR@@ STATE=$R@@STATE_DIR@@
readonly GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-$R@@GATEWAYS_LIST@@}"

systemctl daemon-reload
systemctl start @@STATE_VOLUME_UNIT@@
install -d -o root -g root -m 0755 "$STATE"
while read -r gw user _port agents; do
  user="${OPENCLAW_GATEWAY_USER:-$user}"
  [[ "$gw" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "prepare-state: bad gateway id '$gw' in $GATEWAYS_LIST" >&2; exit 1; }
  install -d -o "$user" -g "$user" -m 0700 "$STATE/$gw" "$STATE/$gw/workspaces"
  chown -R "$user:$user" "$STATE/$gw"
  for agent in ${agents//,/ }; do
    [ -d "$AGENT_DIR/$agent" ] || continue
    install -d -o "$user" -g "$user" -m 0700 "$STATE/$gw/workspaces/$agent"
    (cd "$AGENT_DIR/$agent" && find . -type f -print0) | while IFS= read -r -d '' f; do
      f="${f#./}"
      install -o "$user" -g "$user" -m 0444 /dev/null "$STATE/$gw/workspaces/$agent/$f"
    done
  done
done <"$GATEWAYS_LIST"

earlier_uid="$(id -u "${OPENCLAW_EARLIER_USER:-@@USER@@}" 2>/dev/null || echo none)"
listed=" $(while read -r gw _rest; do printf '%s ' "$gw"; done <"$GATEWAYS_LIST")"
for d in "$STATE"/*; do
  name="${d##*/}"
  if [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
  case "$listed" in *" $name "*) continue ;; esac
  owner="$(stat -c %u "$d")"
  if [ "$owner" != 0 ] && [ "$owner" != "$earlier_uid" ]; then
    chown root:root "$d"
    chmod 0700 "$d"
    echo "prepare-state: $d belongs to no gateway of this host (uid $owner): made root's, 0700, contents kept"
  fi
done
