#!/usr/bin/env bash
# check-agent-files.sh: integrity check of the agent files (SOUL.md, AGENTS.md, ...) of @@DEPLOYMENT@@.
# Rendered from host/scripts/check-agent-files.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run as root by openclaw-integrity.service (openclaw-integrity.timer: boot, then every 15 minutes)
# and once by install-bundle.sh before the gateway first starts.
#
# The manifest lists every agent file, `sha256sum` format, paths relative to the agent folder:
#   <64 hex>  <agent>/<file>
# Checked: the manifest is root-owned and writable by nobody else; every listed file exists,
# is a regular file (no symlink), owner root, group its gateway's user, mode 0440, matches its SHA-256
# (`sha256sum --strict -c`) and is not writable by the gateway user (tested as that user with
# runuser, so ACLs and folder permissions count too); every folder is root-owned 0755 and not
# writable by the gateway user; nothing is in the folder that the manifest does not list.
# Output: one line per difference, `openclaw-integrity: <path>: <what differs>`, then one
# summary line. CloudWatch metric AgentFilesIntegrity = 0, best-effort, only when something is wrong:
# its alarm reads a missing period as fine, and a metric is billed for the hours it reports.
# Exit status: 0 fine, 1 a difference (or the check itself could not run).
#
# Environment (defaults in brackets; the unit sets the last three from host.env):
#   OPENCLAW_AGENT_FILES_DIR [@@AGENT_FILES_DIR@@]
#   OPENCLAW_AGENT_FILES_MANIFEST [@@AGENT_FILES_MANIFEST@@]
#   OPENCLAW_GATEWAY_USER [each gateway's user]  OPENCLAW_AGENT_FILES_GROUP [each agent's gateway user]  OPENCLAW_GATEWAYS_LIST [@@GATEWAYS_LIST@@]
#   OPENCLAW_METRIC_NAMESPACE [@@METRIC_NAMESPACE@@]  AWS_REGION [@@REGION@@]
#   OPENCLAW_AWS_CLI [aws]  AWS_CLI_TIMEOUT [15]
set -uo pipefail

readonly TAG=openclaw-integrity
AGENT_DIR="${OPENCLAW_AGENT_FILES_DIR:-@@AGENT_FILES_DIR@@}"
AGENT_DIR="${AGENT_DIR%/}"
MANIFEST="${OPENCLAW_AGENT_FILES_MANIFEST:-@@AGENT_FILES_MANIFEST@@}"
case "$MANIFEST" in /*) ;; *) MANIFEST="$PWD/$MANIFEST" ;; esac
# The group of each agent's files: its gateway's user (gateways.list: <id> <user> <port> <agents>);
# OPENCLAW_AGENT_FILES_GROUP (tests) names one group for every agent.
declare -A GROUP_OF=()
GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-@@GATEWAYS_LIST@@}"
if [ -f "$GATEWAYS_LIST" ]; then
  while read -r _gw gwuser _port agents; do
    for a in ${agents//,/ }; do GROUP_OF[$a]=$gwuser; done
  done <"$GATEWAYS_LIST"
fi
# Writability is tested as every gateway's user (OPENCLAW_GATEWAY_USER, tests: that one user).
GATEWAY_USERS=()
if [ -n "${OPENCLAW_GATEWAY_USER:-}" ]; then GATEWAY_USERS=("$OPENCLAW_GATEWAY_USER"); else mapfile -t GATEWAY_USERS < <(printf '%s\n' "${GROUP_OF[@]}" | LC_ALL=C sort -u); fi
[ "${#GATEWAY_USERS[@]}" -gt 0 ] || GATEWAY_USERS=(nobody)
group_of() { if [ -n "${OPENCLAW_AGENT_FILES_GROUP:-}" ]; then echo "$OPENCLAW_AGENT_FILES_GROUP"; else echo "${GROUP_OF[${1%%/*}]:-no gateway}"; fi; }
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
REGION="${AWS_REGION:-@@REGION@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
AWS_CLI_TIMEOUT="${AWS_CLI_TIMEOUT:-15}"

PROBLEMS=0
problem() { # PATH WHAT
  printf '%s: %s: %s\n' "$TAG" "$1" "$2"
  PROBLEMS=$((PROBLEMS + 1))
}

# Publishes AgentFilesIntegrity = $1; never fails, prints nothing; sets METRIC to a note.
publish() {
  local rc
  timeout "$AWS_CLI_TIMEOUT" "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" \
    --namespace "$NAMESPACE" --metric-name AgentFilesIntegrity --value "$1" --unit None \
    --cli-connect-timeout 3 --cli-read-timeout 5 >/dev/null 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then
    METRIC="metric AgentFilesIntegrity=$1 published to $NAMESPACE"
  else
    METRIC="metric AgentFilesIntegrity=$1 not published: $AWS_CLI exit $rc"
  fi
}

finish() {
  if [ "$PROBLEMS" -eq 0 ]; then
    METRIC="metric AgentFilesIntegrity not published: only a failure is (0)"
    printf '%s: OK: %d agent files in %s match %s; root-owned, mode 0440, not writable by %s [%s]\n' \
      "$TAG" "${#LISTED[@]}" "$AGENT_DIR" "$MANIFEST" "${GATEWAY_USERS[*]}" "$METRIC"
    exit 0
  fi
  publish 0
  printf '%s: FAILED: %d difference(s) between %s and %s [%s]\n' "$TAG" "$PROBLEMS" "$AGENT_DIR" "$MANIFEST" "$METRIC"
  exit 1
}

LISTED=()

# owner:group:mode of a path (GNU stat), e.g. root:openclaw:444
meta() { stat -c '%U:%G:%a' -- "$1"; }

# The manifest itself.
if [ ! -f "$MANIFEST" ] || [ -L "$MANIFEST" ]; then
  problem "$MANIFEST" "manifest missing (or not a regular file)"
  finish
fi
m="$(meta "$MANIFEST")"
if [ "${m%%:*}" != root ]; then problem "$MANIFEST" "manifest owner ${m%%:*} (expected root)"; fi
mode="${m##*:}"
if (( (8#$mode & 8#022) != 0 )); then problem "$MANIFEST" "manifest mode 0$mode is writable by group or others (expected 0644 or stricter)"; fi
if [ ! -d "$AGENT_DIR" ] || [ -L "$AGENT_DIR" ]; then
  problem "$AGENT_DIR" "agent files folder missing (or a symlink)"
  finish
fi

# Manifest lines: "<64 hex>  <relative path>", no absolute paths, no "..", no backslashes.
declare -A IN_MANIFEST=()
mapfile -t MANIFEST_LINES <"$MANIFEST"
lineno=0
for line in "${MANIFEST_LINES[@]}"; do
  lineno=$((lineno + 1))
  [ -n "$line" ] || continue
  if ! [[ "$line" =~ ^[0-9a-f]{64}\ [\ *]([A-Za-z0-9._@+-][A-Za-z0-9._@+/-]*)$ ]]; then
    problem "$MANIFEST" "line $lineno is not '<sha256>  <relative path>'"
    continue
  fi
  rel="${BASH_REMATCH[1]}"
  if [[ "/$rel/" == */../* || "/$rel/" == */./* || "$rel" == */ || "$rel" == *//* ]]; then
    problem "$MANIFEST" "line $lineno: path $rel must stay inside the agent files folder"
    continue
  fi
  LISTED+=("$rel")
  IN_MANIFEST["$rel"]=1
done
if [ "${#LISTED[@]}" -eq 0 ]; then
  problem "$MANIFEST" "manifest lists no agent files"
fi

# Each listed file: present, regular, root:<its gateway's user> 0440.
for rel in "${LISTED[@]}"; do
  f="$AGENT_DIR/$rel"
  if [ -L "$f" ]; then problem "$rel" "is a symlink (expected a regular file)"; continue; fi
  if [ ! -e "$f" ]; then problem "$rel" "missing"; continue; fi
  if [ ! -f "$f" ]; then problem "$rel" "not a regular file"; continue; fi
  m="$(meta "$f")"
  owner="${m%%:*}"; rest="${m#*:}"; group="${rest%%:*}"; mode="${m##*:}"
  [ "$owner" = root ] || problem "$rel" "owner $owner (expected root)"
  want="$(group_of "$rel")"
  [ "$group" = "$want" ] || problem "$rel" "group $group (expected $want)"
  [ "$mode" = 440 ] || problem "$rel" "mode 0$mode (expected 0440)"
done

# Folders: the top one root 0755, each agent's root:<its gateway's user> 0750. Anything unlisted
# (files, symlinks, sockets...): reported.
while IFS= read -r -d '' d; do
  m="$(meta "$d")"
  rel="${d#"$AGENT_DIR"}"; rel="${rel#/}"; rel="${rel:-.}"
  [ "${m%%:*}" = root ] || problem "$rel/" "folder owner ${m%%:*} (expected root)"
  if [ "$rel" = . ]; then
    [ "${m##*:}" = 755 ] || problem "$rel/" "folder mode 0${m##*:} (expected 0755)"
  else
    want="$(group_of "$rel")"; rest="${m#*:}"
    [ "${rest%%:*}" = "$want" ] || problem "$rel/" "folder group ${rest%%:*} (expected $want)"
    [ "${m##*:}" = 750 ] || problem "$rel/" "folder mode 0${m##*:} (expected 0750)"
  fi
done < <(find "$AGENT_DIR" -type d -print0)
while IFS= read -r -d '' f; do
  rel="${f#"$AGENT_DIR"/}"
  [ -n "${IN_MANIFEST[$rel]+x}" ] || problem "$rel" "not in the manifest (unexpected file)"
done < <(find "$AGENT_DIR" -mindepth 1 ! -type d -print0)

# Writability as the gateway user: one runuser call over every folder and listed file.
# Each path answers W (writable) or R; anything else means the test itself failed.
TARGETS=("$MANIFEST")
while IFS= read -r -d '' d; do TARGETS+=("$d"); done < <(find "$AGENT_DIR" -type d -print0)
for rel in "${LISTED[@]}"; do
  if [ -f "$AGENT_DIR/$rel" ] && [ ! -L "$AGENT_DIR/$rel" ]; then TARGETS+=("$AGENT_DIR/$rel"); fi
done
for GATEWAY_USER in "${GATEWAY_USERS[@]}"; do
  # shellcheck disable=SC2016 # $f and $@ expand in the inner shell
  if ! probe="$(runuser -u "$GATEWAY_USER" -- /bin/sh -c 'for f in "$@"; do if test -w "$f"; then echo "W"; else echo "R"; fi; done' sh "${TARGETS[@]}" 2>&1)"; then
    problem "$AGENT_DIR" "could not test writability as $GATEWAY_USER: ${probe//$'\n'/ }"
  else
    mapfile -t answers <<<"$probe"
    if [ "${#answers[@]}" -ne "${#TARGETS[@]}" ]; then
      problem "$AGENT_DIR" "could not test writability as $GATEWAY_USER: unexpected answer ${probe//$'\n'/ }"
    else
      for i in "${!TARGETS[@]}"; do
        case "${answers[$i]}" in
          R) ;;
          W)
            t="${TARGETS[$i]}"
            if [ "$t" = "$MANIFEST" ]; then problem "$t" "manifest writable by $GATEWAY_USER"
            elif [ "$t" = "$AGENT_DIR" ]; then problem "./" "folder writable by $GATEWAY_USER"
            else
              rel="${t#"$AGENT_DIR"/}"
              if [ -d "$t" ]; then problem "$rel/" "folder writable by $GATEWAY_USER"; else problem "$rel" "writable by $GATEWAY_USER"; fi
            fi
            ;;
          *) problem "${TARGETS[$i]}" "could not test writability as $GATEWAY_USER: ${answers[$i]}" ;;
        esac
      done
    fi
  fi
done

# Content: sha256sum -c from the agent folder. Missing or unreadable files are reported above.
if [ "${#LISTED[@]}" -gt 0 ]; then
  while IFS= read -r out; do
    case "$out" in
      *": FAILED") rel="${out%: FAILED}"; problem "$rel" "content differs from the manifest (sha256)" ;;
      *": FAILED open or read")
        rel="${out%: FAILED open or read}"
        if [ -f "$AGENT_DIR/$rel" ] && [ ! -L "$AGENT_DIR/$rel" ]; then problem "$rel" "unreadable"; fi
        ;;
    esac
  done < <(cd "$AGENT_DIR" && sha256sum --strict -c -- "$MANIFEST" 2>/dev/null)
fi

finish
