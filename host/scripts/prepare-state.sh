#!/usr/bin/env bash
# prepare-state.sh: the state folders of @@DEPLOYMENT@@, on the state volume.
# Rendered from host/scripts/prepare-state.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by install-bundle.sh (root) once the agent files are installed and checked.
#
# 1. Starts @@STATE_VOLUME_UNIT@@ (attach-state-volume.sh: attach the state volume, a file system
#    only on a blank one, mount it on @@STATE_DIR@@ and @@SPEND_METER_STATE_DIR@@) BEFORE anything
#    is written to the state folders: the mount would hide it. A failure is that unit's one
#    FAILED line and metric; this script then exits 1 and the installer stops.
# 2. Creates @@STATE_DIR@@ and @@WORKSPACES_DIR@@ (@@USER@@ 0700) and, in each agent's workspace,
#    an empty file at each agent file's path: the mount point of the gateway unit's
#    BindReadOnlyPaths= (the agent file of @@AGENT_FILES_DIR@@, read-only). What the agents wrote
#    on the volume stays as it is.
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written,
# OPENCLAW_GATEWAY_USER replaces @@USER@@ (as for install-bundle.sh).
set -euo pipefail
umask 022

readonly R="${OPENCLAW_INSTALL_ROOT:-}" USER_NAME="${OPENCLAW_GATEWAY_USER:-@@USER@@}"
readonly AGENT_DIR=$R@@AGENT_FILES_DIR@@ WORKSPACES=$R@@WORKSPACES_DIR@@

systemctl daemon-reload
systemctl start @@STATE_VOLUME_UNIT@@
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$R@@STATE_DIR@@" "$WORKSPACES"
(cd "$AGENT_DIR" && find . -type f -print0) | while IFS= read -r -d '' f; do
  f="${f#./}"
  install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$WORKSPACES/${f%/*}"
  install -o "$USER_NAME" -g "$USER_NAME" -m 0444 /dev/null "$WORKSPACES/$f"
done
