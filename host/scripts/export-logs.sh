#!/usr/bin/env bash
# export-logs.sh: the root-owned audit copies of @@DEPLOYMENT@@, for the CloudWatch agent.
# Rendered from host/scripts/export-logs.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run as root by openclaw-log-export.service (openclaw-log-export.timer: every minute).
#
# Journal     the journal of the units in UNITS (below) as JSON lines (journalctl --output=json),
#             appended to the journal copy from where the last run stopped (journalctl
#             --cursor-file, in the state folder).
# GatewayLog  OpenClaw's log, appended byte for byte to the gateway copy from the offset the last
#             run reached; when OpenClaw rotated it (openclaw.log -> openclaw.1.log) the rest of
#             the old file first. Only a regular file owned by the gateway user is read (the
#             folder is the gateway's: a symlink there must not make root copy another file).
#             A log that shrank, was rewritten in place (the 64 bytes before the last copied
#             one changed) or vanished between two runs is reported, and taken again from its
#             start: the copy keeps everything copied before.
# AgentAudit  the attributable audit (export_agent_audit, below): one JSON line per tool call
#             and per outbound message of every gateway's agents, from each gateway's OpenClaw
#             audit ledger (<state root>/<gateway>/state/openclaw.sqlite), written by
#             agent-audit.js (host/agent-audit/) with the pinned Node, to the agent audit file.
# Each copy has the append-only attribute (chattr +a): appending works, truncating, rewriting,
# renaming and deleting fail for every user, root included, until it is cleared with
# CAP_LINUX_IMMUTABLE; this script clears it only to rotate a copy past
# OPENCLAW_LOG_EXPORT_MAX_BYTES into <copy>.1 (keeping OPENCLAW_LOG_EXPORT_KEEP archives, each
# append-only too). Why copies: OpenClaw 2026.9.6 re-applies mode 0600 to its log before every
# append and renames it to rotate, which an append-only file refuses, so its own file stays
# the gateway user's.
# Output: nothing when fine; `openclaw-log-export: WARNING <What>: ...` for a gateway log that
# shrank, was rewritten or vanished; `openclaw-log-export: FAILED <Step>: ...` for a step that
# failed (the other steps still run), then exit status 1; agent-audit.js's own
# `openclaw-agent-audit: WARNING ...` and `... FAILED ...` lines pass through.
#
# Environment (defaults in brackets):
#   OPENCLAW_JOURNAL_EXPORT [@@JOURNAL_EXPORT_FILE@@]  OPENCLAW_GATEWAY_LOG_COPY [@@GATEWAY_LOG_COPY@@]
#   OPENCLAW_GATEWAY_LOG [@@GATEWAY_LOG_FILE@@]  OPENCLAW_GATEWAY_USER [@@USER@@]
#   OPENCLAW_LOG_EXPORT_STATE_DIR [@@LOG_EXPORT_STATE_DIR@@]  OPENCLAW_GATEWAYS_LIST [@@GATEWAYS_LIST@@]
#   OPENCLAW_GATEWAY_LOG_ROOT [@@LOG_DIR@@]  OPENCLAW_AUDIT_LOG_DIR [@@AUDIT_LOG_DIR@@]
#   OPENCLAW_LOG_EXPORT_MAX_BYTES [33554432]  OPENCLAW_LOG_EXPORT_KEEP [4]
#   OPENCLAW_JOURNALCTL [journalctl]  OPENCLAW_CHATTR [chattr]
#   OPENCLAW_AGENT_AUDIT [@@AUDIT_LOG_DIR@@/agent-audit.jsonl]  OPENCLAW_STATE_ROOT [@@STATE_DIR@@]
#   OPENCLAW_NODE [@@NODE@@]  OPENCLAW_AGENT_AUDIT_PROGRAM [@@LIBEXEC_DIR@@/agent-audit.js]
set -uo pipefail
umask 077

readonly TAG=openclaw-log-export
JOURNAL_COPY="${OPENCLAW_JOURNAL_EXPORT:-@@JOURNAL_EXPORT_FILE@@}"
GATEWAY_COPY="${OPENCLAW_GATEWAY_LOG_COPY:-@@GATEWAY_LOG_COPY@@}"
GATEWAY_LOG="${OPENCLAW_GATEWAY_LOG:-@@GATEWAY_LOG_FILE@@}"
GATEWAY_USER="${OPENCLAW_GATEWAY_USER:-@@USER@@}"
STATE="${OPENCLAW_LOG_EXPORT_STATE_DIR:-@@LOG_EXPORT_STATE_DIR@@}"
GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-@@GATEWAYS_LIST@@}"
LOG_ROOT="${OPENCLAW_GATEWAY_LOG_ROOT:-@@LOG_DIR@@}"
AUDIT_DIR="${OPENCLAW_AUDIT_LOG_DIR:-@@AUDIT_LOG_DIR@@}"
MAX_BYTES="${OPENCLAW_LOG_EXPORT_MAX_BYTES:-33554432}"
KEEP="${OPENCLAW_LOG_EXPORT_KEEP:-4}"
JOURNALCTL="${OPENCLAW_JOURNALCTL:-journalctl}"
CHATTR="${OPENCLAW_CHATTR:-chattr}"
AGENT_AUDIT="${OPENCLAW_AGENT_AUDIT:-@@AUDIT_LOG_DIR@@/agent-audit.jsonl}"
STATE_ROOT="${OPENCLAW_STATE_ROOT:-@@STATE_DIR@@}"
NODE="${OPENCLAW_NODE:-@@NODE@@}"
AGENT_AUDIT_PROGRAM="${OPENCLAW_AGENT_AUDIT_PROGRAM:-@@LIBEXEC_DIR@@/agent-audit.js}"
readonly UNITS=(@@JOURNAL_UNITS@@)
# Enough to tell who logged what and how it ended; not the whole entry (command lines,
# capabilities, cgroups), which would triple what is shipped.
readonly FIELDS=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT,UNIT,_PID,_UID,_COMM,_EXE,_TRANSPORT,MESSAGE_ID,JOB_RESULT,EXIT_CODE,EXIT_STATUS

STATUS=0
fail() { printf '%s: FAILED %s: %s\n' "$TAG" "$1" "$2" >&2; STATUS=1; } # STEP WHAT
warn() { printf '%s: WARNING %s: %s\n' "$TAG" "$1" "$2" >&2; }        # WHAT DETAIL
oneline() { local s="${1//$'\n'/ }"; printf '%s' "${s% }"; }

if ! [[ "$MAX_BYTES" =~ ^[1-9][0-9]*$ && "$KEEP" =~ ^[1-9][0-9]?$ ]]; then
  fail Usage "OPENCLAW_LOG_EXPORT_MAX_BYTES ($MAX_BYTES) and OPENCLAW_LOG_EXPORT_KEEP ($KEEP) must be positive integers"
  exit 1
fi
if ! mkdir -p "$STATE" "$(dirname "$JOURNAL_COPY")" "$(dirname "$GATEWAY_COPY")" "$(dirname "$AGENT_AUDIT")"; then
  fail Usage "cannot create $STATE or the copies' folders"
  exit 1
fi

# append_only FILE: sets the append-only attribute (again: setting it is idempotent).
append_only() {
  local err
  if ! err="$("$CHATTR" +a "$1" 2>&1)"; then
    fail AppendOnly "cannot make $1 append-only ($(oneline "$err")); does its filesystem support chattr +a? It is still written"
  fi
}

# rotate FILE: past MAX_BYTES, FILE -> FILE.1 -> ... -> FILE.KEEP (dropped), each kept append-only.
rotate() {
  local f=$1 i size
  size="$(stat -c %s -- "$f" 2>/dev/null)" || return 0
  [ "$size" -ge "$MAX_BYTES" ] || return 0
  "$CHATTR" -a "$f.$KEEP" 2>/dev/null
  rm -f -- "$f.$KEEP" || { fail Rotate "cannot remove $f.$KEEP"; return 1; }
  for ((i = KEEP - 1; i >= 0; i--)); do
    local from="$f.$i"
    [ "$i" -eq 0 ] && from=$f
    [ -e "$from" ] || continue
    "$CHATTR" -a "$from" 2>/dev/null
    mv -f -- "$from" "$f.$((i + 1))" || { fail Rotate "cannot rename $from to $f.$((i + 1))"; return 1; }
    append_only "$f.$((i + 1))"
  done
}

# prepare FILE: rotated if due, present (root 0600) and append-only; fails for anything but a regular file.
prepare() {
  local f=$1
  if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then
    fail "$2" "$f is not a regular file; nothing appended to it"
    return 1
  fi
  rotate "$f" || return 1
  if [ ! -e "$f" ] && ! : >"$f"; then
    fail "$2" "cannot create $f"
    return 1
  fi
  append_only "$f"
}

export_journal() {
  local args=() u err rc
  for u in "${UNITS[@]}"; do args+=(--unit "$u"); done
  prepare "$JOURNAL_COPY" Journal || return
  # stdout (the entries) to the copy, stderr captured.
  err="$("$JOURNALCTL" --cursor-file="$STATE/journal.cursor" --output=json --output-fields="$FIELDS" \
    --no-pager --quiet "${args[@]}" 2>&1 >>"$JOURNAL_COPY")"
  rc=$?
  # systemd 252 (Amazon Linux 2023) exits 1 without a word when no entry followed the cursor.
  if [ "$rc" -ne 0 ] && { [ "$rc" -ne 1 ] || [ -n "$err" ]; }; then
    fail Journal "journalctl exit $rc: $(oneline "$err")"
  fi
}

POS_INODE=0
POS_OFFSET=0
POS_MARK=-
# mark END: SHA-256 of the (up to) 64 bytes before offset END of the open file (fd 3), "-" at 0.
# Every read opens /proc/self/fd/3 again: the same file, with an offset of its own.
mark() {
  local start=$(($1 > 64 ? $1 - 64 : 0))
  if [ "$1" -eq 0 ]; then printf '%s' -; return; fi
  dd if=/proc/self/fd/3 bs=64 iflag=skip_bytes,count_bytes skip="$start" count="$(($1 - start))" status=none | sha256sum | cut -c 1-64
}

# copy_gateway_log FILE OFFSET MARK: appends FILE from OFFSET to the gateway copy; sets POS_INODE,
# POS_OFFSET and POS_MARK to where it stopped. The file is opened once and every check is made
# on that open file, so swapping the path meanwhile changes nothing. MARK (from the last run)
# tells whether the bytes before OFFSET are still the ones copied: if not, the log was
# rewritten in place and is copied again from the start.
copy_gateway_log() {
  local f=$1 off=$2 want=$3 uid ino size owner err
  if [ -L "$f" ] || [ ! -f "$f" ]; then
    fail GatewayLog "$f is not a regular file (a symlink or something else): not copied"
    return 1
  fi
  exec 3<"$f" || { fail GatewayLog "cannot open $f"; return 1; }
  read -r uid ino size < <(stat -L -c '%u %i %s' /proc/self/fd/3)
  owner="$(id -u "$GATEWAY_USER" 2>/dev/null)" || owner=none
  if [ "$uid" != "$owner" ] || [ ! -f /proc/self/fd/3 ]; then
    exec 3<&-
    fail GatewayLog "$f is not a regular file of $GATEWAY_USER (owner uid $uid): not copied"
    return 1
  fi
  if [ "$size" -lt "$off" ]; then
    warn GatewayLogShrank "$f shrank from $off to $size bytes since the last copy (truncated); the copy keeps the $off bytes it had, and takes the file again from its start"
    off=0
  elif [ "$off" -gt 0 ] && [ "$want" != - ] && [ "$(mark "$off")" != "$want" ]; then
    warn GatewayLogRewritten "the bytes of $f before byte $off changed since the last copy (rewritten in place); the copy keeps what it had, and takes the file again from its start"
    off=0
  fi
  if [ "$size" -gt "$off" ]; then
    # Exactly the bytes between the last copy and the size seen now (more may be arriving).
    if ! err="$(dd if=/proc/self/fd/3 bs=64K iflag=skip_bytes,count_bytes skip="$off" count="$((size - off))" status=none 2>&1 >>"$GATEWAY_COPY")"; then
      exec 3<&-
      fail GatewayLog "cannot append $f to $GATEWAY_COPY: $(oneline "$err")"
      return 1
    fi
  fi
  POS_MARK="$(mark "$size")"
  exec 3<&-
  POS_INODE=$ino
  POS_OFFSET=$size
}

export_gateway_log() {
  local pos="${GATEWAY_POSITION:-$STATE/gateway-log.position}" ino=0 off=0 want=- current old
  prepare "$GATEWAY_COPY" GatewayLog || return
  if [ -f "$pos" ]; then read -r ino off want <"$pos"; fi
  [[ "$ino" =~ ^[0-9]+$ && "$off" =~ ^[0-9]+$ && "$want" =~ ^([0-9a-f]{64}|-)$ ]] || { ino=0 off=0 want=-; }
  current="$(stat -c %i -- "$GATEWAY_LOG" 2>/dev/null)" || current=0
  if [ "$ino" -ne 0 ] && [ "$ino" -ne "$current" ]; then
    # Not the file copied last time: OpenClaw rotated it (the rest is in <name>.1.log), or it went.
    old="$(find "$(dirname "$GATEWAY_LOG")" -maxdepth 1 -type f -inum "$ino" -print -quit 2>/dev/null)"
    if [ -n "$old" ]; then
      copy_gateway_log "$old" "$off" "$want"
    else
      warn GatewayLogVanished "$GATEWAY_LOG (copied up to byte $off) was deleted or replaced, not rotated: what it gained after the last copy is not in $GATEWAY_COPY"
    fi
    ino=0 off=0 want=-
  fi
  if [ "$current" -eq 0 ]; then
    ino=0 off=0 want=-
  elif copy_gateway_log "$GATEWAY_LOG" "$off" "$want"; then
    ino=$POS_INODE off=$POS_OFFSET want=$POS_MARK
  fi
  if ! printf '%s %s %s\n' "$ino" "$off" "$want" >"$pos.new" || ! mv -f -- "$pos.new" "$pos"; then
    fail GatewayLog "cannot save the position in $pos"
  fi
}

# export_agent_audit: the audit file prepared (rotated, root 0600, append-only), then
# agent-audit.js appends what each gateway's ledger recorded since its last run (its positions
# in $STATE/agent-audit). --jitless: the unit denies writable executable memory
# (MemoryDenyWriteExecute=yes), which V8's compiler needs; without it Node aborts at start.
# Its WARNING lines pass through; its FAILED lines (exit 1) fail the step.
export_agent_audit() {
  local out rc
  prepare "$AGENT_AUDIT" AgentAudit || return
  out="$("$NODE" --jitless "$AGENT_AUDIT_PROGRAM" --state-root "$STATE_ROOT" --out "$AGENT_AUDIT" \
    --position-dir "$STATE/agent-audit" 2>&1 >/dev/null)"
  rc=$?
  if [ -n "$out" ]; then printf '%s\n' "$out" >&2; fi
  if [ "$rc" -ne 0 ]; then
    fail AgentAudit "agent-audit.js exit $rc (lines above)"
  fi
}

# export_gateway_logs: each gateway of @@GATEWAYS_LIST@@ (one per agent) has its own OpenClaw
# log, @@LOG_DIR@@/<id>/openclaw.log, owned by its user, copied into its own copy
# @@AUDIT_LOG_DIR@@/gateway-<id>.jsonl (its own stream of the gateway log group) with its own
# position. OPENCLAW_GATEWAY_LOG set (tests) copies that one log as before.
export_gateway_logs() {
  local id user _rest
  if [ -n "${OPENCLAW_GATEWAY_LOG:-}" ]; then export_gateway_log; return; fi
  if [ ! -r "$GATEWAYS_LIST" ]; then fail GatewayLog "cannot read $GATEWAYS_LIST"; return; fi
  while read -r id user _rest; do
    if ! [[ "$id" =~ ^[a-z0-9][a-z0-9-]*$ && "$user" =~ ^[a-z_][a-z0-9_-]*$ ]]; then
      fail GatewayLog "$GATEWAYS_LIST: a line that is not <id> <user> <port> <agents> (gateway '${id:-}')"
      continue
    fi
    GATEWAY_LOG="$LOG_ROOT/$id/openclaw.log" GATEWAY_USER="$user" GATEWAY_COPY="$AUDIT_DIR/gateway-$id.jsonl" \
      GATEWAY_POSITION="$STATE/gateway-log.$id.position" export_gateway_log
  done <"$GATEWAYS_LIST"
}

export_journal
export_gateway_logs
export_agent_audit
exit "$STATUS"
