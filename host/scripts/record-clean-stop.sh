#!/usr/bin/env bash
# record-clean-stop.sh: closes the boot record of an OpenClaw gateway of @@DEPLOYMENT@@ that
# systemd stopped and that exited by itself.
# Rendered from host/scripts/record-clean-stop.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by each gateway unit's ExecStopPost= as the gateway's user, with its environment.
#
# Why: on SIGTERM the pinned OpenClaw drains and exits with status 143 before it writes the end of
# its boot into its state database (table gateway_boot_lifecycle: completed_at_ms and outcome stay
# empty), so every stop, restart and deploy counts as an unclean boot; three of them within
# 5 minutes trip its crash-loop breaker, which then keeps every channel from starting for up to
# 5 minutes (test/openclaw/gateway-process.test.ts shows both). This script writes what OpenClaw
# would have written for a clean stop, only when the stop was clean by systemd's account:
# SERVICE_RESULT=success (the unit's SuccessExitStatus= includes 143) and EXIT_CODE=exited with
# EXIT_STATUS 0 or 143. A crash, a kill or a stop that timed out (SIGKILL) keeps its open record:
# those are the unclean boots the breaker is for. Only the newest open record is closed: the one
# this boot opened (OpenClaw writes it at start).
# Output: one line, `record-clean-stop: closed boot <id>` or `record-clean-stop: nothing to close
# (<why>)`; exit status 0 either way (a stop never fails on this), 2 for a missing database tool.
# Environment: OPENCLAW_STATE_DIR (the unit sets it), SERVICE_RESULT, EXIT_CODE, EXIT_STATUS
# (systemd sets them for ExecStopPost=), OPENCLAW_NODE [@@NODE@@].
set -uo pipefail

readonly TAG=record-clean-stop
NODE="${OPENCLAW_NODE:-@@NODE@@}"
db="${OPENCLAW_STATE_DIR:-}/state/openclaw.sqlite"

if [ "${SERVICE_RESULT:-}" != success ] || [ "${EXIT_CODE:-}" != exited ] || { [ "${EXIT_STATUS:-}" != 0 ] && [ "${EXIT_STATUS:-}" != 143 ]; }; then
  echo "$TAG: nothing to close (result ${SERVICE_RESULT:-?}, ${EXIT_CODE:-?} ${EXIT_STATUS:-?}: not a clean stop)"
  exit 0
fi
if [ ! -f "$db" ]; then
  echo "$TAG: nothing to close (no state database $db)"
  exit 0
fi
[ -x "$NODE" ] || { echo "$TAG: $NODE not found" >&2; exit 2; }
# shellcheck disable=SC2016 # JavaScript, not shell
"$NODE" -e '
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(process.argv[1]);
db.exec("PRAGMA busy_timeout = 5000");
const now = Date.now();
const row = db.prepare("select boot_id from gateway_boot_lifecycle where completed_at_ms is null and outcome is null and started_at_ms <= ? order by started_at_ms desc limit 1").get(now);
if (!row) { console.log("record-clean-stop: nothing to close (no open boot record)"); process.exit(0); }
db.prepare("update gateway_boot_lifecycle set completed_at_ms = ?, outcome = ?, reason = ? where boot_id = ?").run(now, "clean_stop", "stop (SIGTERM)", row.boot_id);
console.log("record-clean-stop: closed boot " + row.boot_id);
' "$db" || echo "$TAG: nothing to close (the state database could not be updated; see above)"
exit 0
