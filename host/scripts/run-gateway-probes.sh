#!/usr/bin/env bash
# run-gateway-probes.sh: probes every gateway of @@DEPLOYMENT@@ through its own protocol, for the
# health check. Rendered from host/scripts/run-gateway-probes.sh (lib/host/runtime-files.ts); do not
# edit on the host. Run as root by openclaw-health.service's privileged ExecStartPre= (every minute),
# before check-gateway-health.sh, which cannot read the gateways' tokens and reads the results.
#
# Per gateway of @@GATEWAYS_LIST@@ (`<id> <user> <port> <agents>` a line) whose breaker has not
# stopped it (no <id>.tripped in @@BREAKER_MARKER_DIR@@), in parallel, as the gateway's own user:
#   @@NODE@@ @@LIBEXEC_DIR@@/gateway-probe.js --gateway <id> --port <port>
#     --token-file @@SECRETS_DIR@@/<id>/gateway-token --agents <agents>
#     --identity @@STATE_DIR@@/<id>/.gateway-probe-identity.json --timeout-ms <OPENCLAW_PROBE_TIMEOUT_MS>
#     [--skip-session-write]
# (host/gateway-probe/: a signed device connection, the state of every channel, and every 15
# minutes a session created and deleted again: OpenClaw archives the transcript of every
# deleted session, about 4 KiB and one inode on the state volume each, so 96 a day, not 1,440; the
# signed connect already fails on a full state disk), its one JSON line written to <results>/<id>.json
# (0644, no secret in it).
# A probe that prints nothing leaves no file: the health check then counts that gateway unusable.
# Old results are removed first, so a result is never older than this run.
# Environment (tests only): OPENCLAW_GATEWAYS_LIST, OPENCLAW_BREAKER_DIR, OPENCLAW_PROBE_RESULTS
# [/run/openclaw-probe], OPENCLAW_NODE, OPENCLAW_PROBE_PROGRAM, OPENCLAW_SECRETS_DIR,
# OPENCLAW_STATE_DIR, OPENCLAW_PROBE_TIMEOUT_MS [10000], OPENCLAW_PROBE_AS [runuser: `runuser -u
# <user> --`; "none" runs the probe as the caller], OPENCLAW_PROBE_NOW [date +%s].
set -uo pipefail

readonly TAG=run-gateway-probes
GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-@@GATEWAYS_LIST@@}"
BREAKER_DIR="${OPENCLAW_BREAKER_DIR:-@@BREAKER_MARKER_DIR@@}"
RESULTS="${OPENCLAW_PROBE_RESULTS:-/run/openclaw-probe}"
NODE="${OPENCLAW_NODE:-@@NODE@@}"
PROGRAM="${OPENCLAW_PROBE_PROGRAM:-@@LIBEXEC_DIR@@/gateway-probe.js}"
SECRETS="${OPENCLAW_SECRETS_DIR:-@@SECRETS_DIR@@}"
STATE="${OPENCLAW_STATE_DIR:-@@STATE_DIR@@}"
TIMEOUT_MS="${OPENCLAW_PROBE_TIMEOUT_MS:-10000}"
AS="${OPENCLAW_PROBE_AS:-runuser}"
NOW="${OPENCLAW_PROBE_NOW:-$(date +%s)}"

umask 022
mkdir -p "$RESULTS" || { echo "$TAG: cannot create $RESULTS" >&2; exit 0; }
rm -f "$RESULTS"/*.json "$RESULTS"/*.json.new
# A session write every 15 minutes: when the last one (the stamp's time; none since boot, /run is a
# tmpfs) is 14.5 minutes old or more. Not by the clock's minute: the timer drifts a few seconds a run
# and would skip a quarter hour now and then.
STAMP="$RESULTS/.session-written"
WRITE=(--skip-session-write)
LAST="$(stat -c %Y "$STAMP" 2>/dev/null || echo 0)"
if [ "$((NOW - LAST))" -ge 870 ]; then
  WRITE=()
  touch -d "@$NOW" "$STAMP"
fi
[ -r "$GATEWAYS_LIST" ] || { echo "$TAG: cannot read $GATEWAYS_LIST: no gateway probed" >&2; exit 0; }

probe() { # ID USER PORT AGENTS
  local id="$1" user="$2" port="$3" agents="$4" out="$RESULTS/$1.json"
  local cmd=("$NODE" "$PROGRAM" --gateway "$id" --port "$port" --token-file "$SECRETS/$id/gateway-token" \
    --agents "$agents" --identity "$STATE/$id/.gateway-probe-identity.json" --timeout-ms "$TIMEOUT_MS" "${WRITE[@]}")
  [ "$AS" = none ] || cmd=(runuser -u "$user" -- "${cmd[@]}")
  # The probe bounds itself; timeout is the backstop (its bound plus 5 s).
  if timeout "$((TIMEOUT_MS / 1000 + 5))" "${cmd[@]}" >"$out.new" && [ -s "$out.new" ]; then
    mv -f "$out.new" "$out"
  else
    rm -f "$out.new"
    echo "$TAG: the probe of gateway $id printed no result" >&2
  fi
}

while read -r id user port agents; do
  [[ "$id" =~ ^[a-z0-9][a-z0-9-]*$ && "$user" =~ ^[a-z_][a-z0-9_-]*$ && "$port" =~ ^[0-9]{1,5}$ && "$agents" =~ ^[a-z0-9,-]+$ ]] || continue
  [ ! -e "$BREAKER_DIR/$id.tripped" ] || continue
  probe "$id" "$user" "$port" "$agents" &
done <"$GATEWAYS_LIST"
wait
exit 0
