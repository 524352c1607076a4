#!/usr/bin/env bash
# collect-host-facts.sh: the facts `npm run verify` judges on the gateway host.
# NOT part of the deployment bundle: lib/host/verification-document.ts embeds this file in the
# deployment's SSM Command document (`<name>-verify-host`), after lines that set the OCV_*
# variables below, so a change here changes only that document, never the host.
#
# Read-only on the host, except one write test: as the gateway user, in the gateway's mount
# namespace, it opens each read-only mount for append (writing nothing) and tries to create a
# file in each read-only folder. Both must fail; a file that was created anyway is removed at
# once and reported. The scratch copy of the ruleset is loaded in a network namespace of its
# own (unshare --net), which disappears with the command.
#
# Output: ONE line, one compact JSON object of facts (well under the 24,000 characters SSM
# returns). It decides nothing, except the ruleset comparison, which must be made here: the
# live ruleset and the rendered file, each listed by this host's nft (`nft -s list ruleset`).
#
# Input (environment):
#   OCV_FAMILIES        which facts, space-separated [all: imds ruleset agentFiles listeners audit
#                       secretFiles dns units origin proxy]
#   OCV_GATEWAY_USER    the gateway user          OCV_GATEWAY_UNIT   the gateway's unit
#   OCV_NS_PID          whose mount namespace the agent files are checked in [the gateway's MainPID]
#   OCV_IMDS            the metadata endpoint, http://169.254.169.254
#   OCV_NFT_FILE        the rendered ruleset      OCV_READONLY_ROOTS every mount under these is reported
#   OCV_READONLY_DIRS   folders that must be read-only (the write test tries each, and each mount)
#   OCV_SECRETS_DIR     the secret files' folder
#   OCV_SECRET_FILES    further secret files      OCV_UNITS          units whose result is reported
#   OCV_RETRIEVAL_UNIT  the unit whose last OK/FAILED line is reported
#   OCV_ALLOWED_NAME, OCV_DENIED_NAME   names to resolve (getent ahosts)
#   OCV_ORIGIN_URL      nginx's listen address, requested without the origin-verify header
#   OCV_NODE, OCV_OPENCLAW_BIN, OCV_STATE_DIR, OCV_CONFIG_FILE   the audit, as the gateway runs
#   OCV_AUDIT_ARGS      [security audit --deep --json]   OCV_TIMEOUT  seconds per command [20]
#   OCV_PROXY_UNIT, OCV_PROXY_CONF   the egress proxy's unit and its configuration file
set -uo pipefail
export LC_ALL=C
T="${OCV_TIMEOUT:-20}"
FAMILIES=" ${OCV_FAMILIES:-imds ruleset agentFiles listeners audit secretFiles dns units origin proxy} "

# A JSON string of $1: backslash, quote and control characters escaped, at most ${2:-200} characters.
js() {
  local s="${1:0:${2:-200}}" out="" c i
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; s="${s//$'\n'/\\n}"; s="${s//$'\t'/\\t}"; s="${s//$'\r'/\\r}"
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    if [[ "$c" < ' ' ]]; then printf -v c '\\u%04x' "'$c"; fi
    out+="$c"
  done
  printf '"%s"' "$out"
}
# A JSON array of strings from the arguments.
jarr() { local sep="" a; printf '['; for a in "$@"; do printf '%s' "$sep"; js "$a"; sep=","; done; printf ']'; }
want() { [[ "$FAMILIES" == *" $1 "* ]]; }
FACTS=()
fact() { FACTS+=("$(js "$1"):$2"); }
# An HTTP status as a JSON number: curl prints 000 when it gets no answer; anything not digits is 0.
status_num() { if [[ "${1:-}" =~ ^[0-9]+$ ]]; then printf '%d' "$((10#$1))"; else printf '0'; fi; }

gateway_pid() {
  if [ -n "${OCV_NS_PID:-}" ]; then echo "$OCV_NS_PID"; return; fi
  local pid
  pid="$(timeout "$T" systemctl show -p MainPID --value "$OCV_GATEWAY_UNIT" 2>/dev/null)"
  [ "${pid:-0}" != 0 ] && echo "$pid"
}
# Runs "$@" in the gateway's mount namespace when it has one ($PID), else here.
in_ns() { if [ -n "$PID" ]; then timeout "$T" nsenter -t "$PID" -m -- "$@"; else timeout "$T" "$@"; fi; }
as_user() { in_ns setpriv --reuid="$(id -u "$OCV_GATEWAY_USER")" --regid="$(id -g "$OCV_GATEWAY_USER")" --init-groups -- "$@"; }
PID=""
if want agentFiles || want audit || want listeners; then PID="$(gateway_pid)"; fi

# IMDS: without a token the service must answer 401; with one, 200.
imds() {
  local code_none code_put code_get token
  code_none="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$OCV_IMDS/latest/meta-data/")"
  token="$(curl -s -X PUT --max-time 3 -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' -w '\n%{http_code}' "$OCV_IMDS/latest/api/token")"
  code_put="${token##*$'\n'}"; token="${token%$'\n'*}"
  code_get="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H "X-aws-ec2-metadata-token: $token" "$OCV_IMDS/latest/meta-data/instance-id")"
  fact imds "{\"withoutToken\":$(status_num "$code_none"),\"tokenPut\":$(status_num "$code_put"),\"withToken\":$(status_num "$code_get")}"
}

# The live ruleset and the rendered file loaded in a scratch network namespace, both listed by the same nft.
ruleset() {
  local sha live scratch state diffhead=()
  if [ ! -r "$OCV_NFT_FILE" ]; then fact ruleset "{\"state\":\"no-file\",\"file\":$(js "$OCV_NFT_FILE")}"; return; fi
  sha="$(sha256sum <"$OCV_NFT_FILE")"; sha="${sha%% *}"
  live="$(timeout "$T" nft -s list ruleset 2>&1)" || { fact ruleset "{\"state\":\"error\",\"sha256\":\"$sha\",\"error\":$(js "live: $live")}"; return; }
  # shellcheck disable=SC2016 # $1 expands in the inner shell
  scratch="$(timeout "$T" unshare --net -- sh -c 'nft -f "$1" && nft -s list ruleset' sh "$OCV_NFT_FILE" 2>&1)" ||
    { fact ruleset "{\"state\":\"error\",\"sha256\":\"$sha\",\"error\":$(js "rendered: $scratch")}"; return; }
  if [ "$live" = "$scratch" ]; then state=equal; else
    state=differing
    mapfile -t diffhead < <(diff <(printf '%s\n' "$scratch") <(printf '%s\n' "$live") | grep '^[<>]' | head -n 12 | cut -c1-160)
  fi
  fact ruleset "{\"state\":\"$state\",\"sha256\":\"$sha\",\"diffHead\":$(jarr "${diffhead[@]}")}"
}

# Mounts under OCV_READONLY_ROOTS as the gateway sees them, and the write test. A folder of
# OCV_READONLY_DIRS that is a mount point of its own (systemd bind-mounts each ReadOnlyPaths=
# entry onto itself) is reported with its options, under a root or not; one that is not is
# reported with the options of the mount that holds it (`held-by=`).
agent_files() {
  local mounts=() targets=() writable=() refused=0 line mp opts t up probe ns=host
  local -A all=() listed=()
  [ -n "$PID" ] && ns=gateway
  while IFS=' ' read -r mp opts; do
    all["$mp"]="$opts"
    for t in $OCV_READONLY_ROOTS; do
      if [ "$mp" = "$t" ] || [[ "$mp" == "$t"/* ]]; then mounts+=("$mp $opts"); targets+=("$mp"); listed["$mp"]=1; break; fi
    done
  done < <(awk '{ print $5, $6 }' "/proc/${PID:-self}/mountinfo" 2>/dev/null)
  for t in $OCV_READONLY_DIRS; do
    [[ " ${targets[*]} " == *" $t "* ]] || targets+=("$t")
    if [ -n "${all[$t]+x}" ]; then
      [ -n "${listed[$t]+x}" ] || { mounts+=("$t ${all[$t]}"); listed["$t"]=1; }
      continue
    fi
    up="$t"
    while [ -n "$up" ] && [ -z "${all[$up]+x}" ]; do up="${up%/*}"; done
    mounts+=("$t ${all[${up:-/}]:-unknown},held-by=${up:-/}")
  done
  for t in "${targets[@]}"; do
    if in_ns test -d "$t"; then
      probe="$t/.openclaw-verify-probe-$$"
      # shellcheck disable=SC2016 # $1 expands in the inner shell
      if as_user sh -c ': >"$1"' sh "$probe" >/dev/null 2>&1; then
        in_ns rm -f -- "$probe"
        writable+=("$t (created a file; removed)")
      else refused=$((refused + 1)); fi
    elif in_ns test -e "$t"; then
      # Only an existing file: opening a missing one for append would create it.
      # shellcheck disable=SC2016 # $1 expands in the inner shell
      if as_user sh -c ': >>"$1"' sh "$t" >/dev/null 2>&1; then writable+=("$t (opened for append; nothing written)"); else refused=$((refused + 1)); fi
    fi
  done
  line="{\"namespace\":\"$ns\",\"mounts\":$(jarr "${mounts[@]}"),\"writeRefused\":$refused,\"writable\":$(jarr "${writable[@]}")}"
  fact agentFiles "$line"
}

# TCP listeners of the gateway: its process (MainPID) or its user.
listeners() {
  local uid addrs=() line
  uid="$(id -u "$OCV_GATEWAY_USER" 2>/dev/null)"
  while IFS= read -r line; do
    if { [ -n "$PID" ] && [[ "$line" == *"pid=$PID,"* ]]; } || { [ -n "$uid" ] && [[ "$line" == *" uid:$uid "* ]]; }; then
      addrs+=("$(awk '{ print $4 }' <<<"$line")")
    fi
  done < <(timeout "$T" ss -ltnpeH 2>/dev/null | sed 's/$/ /')
  fact listeners "{\"gatewayPid\":${PID:-0},\"addresses\":$(jarr "${addrs[@]}")}"
}

# OpenClaw's own audit as the gateway runs it; summarized by the pinned node (counts, non-info IDs).
# shellcheck disable=SC2016 # JavaScript, not shell
readonly SUMMARIZE='let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const a=s.indexOf("{"),b=s.lastIndexOf("}");
let r;try{r=JSON.parse(s.slice(a,b+1))}catch(e){console.log(JSON.stringify({error:"no JSON from the audit: "+s.slice(0,160)}));return}
const f=(r.findings||[]).filter(x=>x.severity!=="info").slice(0,20).map(x=>({id:String(x.checkId).slice(0,80),severity:x.severity,detail:String(x.detail||"").slice(0,120)}));
console.log(JSON.stringify({critical:(r.summary||{}).critical??-1,warn:(r.summary||{}).warn??-1,info:(r.summary||{}).info??-1,findings:f}))})'
audit() {
  local out summary args
  read -r -a args <<<"${OCV_AUDIT_ARGS:-security audit --deep --json}"
  # Node's start and --deep take longer than the other steps: the audit has its own timeout.
  out="$(T="${OCV_AUDIT_TIMEOUT:-60}" as_user env -i PATH=/usr/bin:/bin HOME="$OCV_STATE_DIR" OPENCLAW_STATE_DIR="$OCV_STATE_DIR" \
    OPENCLAW_CONFIG_PATH="$OCV_CONFIG_FILE" OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NO_AUTO_UPDATE=1 NODE_ENV=production \
    NO_COLOR=1 "$OCV_NODE" "$OCV_OPENCLAW_BIN" "${args[@]}" 2>/dev/null)"
  summary="$(printf '%s' "$out" | timeout "$T" "$OCV_NODE" -e "$SUMMARIZE" 2>&1)" || summary="{\"error\":$(js "summary: $summary")}"
  fact audit "$summary"
}

# owner, group, mode, size, links and type of each secret file (never its content).
secret_files() {
  local entries=() f
  local files=("$OCV_SECRETS_DIR")
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$OCV_SECRETS_DIR" -mindepth 1 -maxdepth 1 -print0 2>/dev/null | sort -z)
  for f in $OCV_SECRET_FILES; do files+=("$f"); done
  for f in "${files[@]}"; do
    entries+=("$(stat -c '%n|%U|%G|%a|%s|%h|%F' -- "$f" 2>/dev/null || echo "$f|missing")")
  done
  fact secretFiles "$(jarr "${entries[@]}")"
}

dns() {
  local n out entries=()
  for n in "$OCV_ALLOWED_NAME" "$OCV_DENIED_NAME"; do
    if out="$(timeout "$T" getent ahosts "$n" 2>/dev/null)"; then entries+=("{\"name\":$(js "$n"),\"resolves\":true,\"address\":$(js "${out%% *}" 60)}")
    else entries+=("{\"name\":$(js "$n"),\"resolves\":false}"); fi
  done
  fact dns "{\"allowed\":${entries[0]},\"denied\":${entries[1]}}"
}

units() {
  local u out entries=() sep="" last
  for u in $OCV_UNITS; do
    out="$(timeout "$T" systemctl show -p ActiveState,Result,ExecMainStatus "$u" 2>&1 | tr '\n' ' ')"
    entries+=("$(js "$u"):$(js "$out")")
  done
  last="$(timeout "$T" journalctl -u "$OCV_RETRIEVAL_UNIT" -b --no-pager -o cat -n 200 2>/dev/null | grep -E '^openclaw-secrets: (OK|FAILED)' | tail -n 1)"
  printf -v out '%s' "{"; for u in "${entries[@]}"; do out+="$sep$u"; sep=","; done; out+="}"
  fact units "{\"units\":$out,\"retrieval\":$(js "$last" 400)}"
}

origin() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$OCV_ORIGIN_URL")"
  fact origin "{\"url\":$(js "$OCV_ORIGIN_URL"),\"status\":$(status_num "$code")}"
}

# The egress proxy: whether its unit runs, and the SHA-256 of the configuration it reads.
proxy() {
  local active sha=""
  active="$(timeout "$T" systemctl is-active "$OCV_PROXY_UNIT" 2>/dev/null)"
  if [ -r "$OCV_PROXY_CONF" ]; then sha="$(sha256sum <"$OCV_PROXY_CONF")"; sha="${sha%% *}"; fi
  fact proxy "{\"active\":$(js "${active:-unknown}"),\"sha256\":$(js "$sha")}"
}

want imds && imds
want ruleset && ruleset
want agentFiles && agent_files
want listeners && listeners
want audit && audit
want secretFiles && secret_files
want dns && dns
want units && units
want origin && origin
want proxy && proxy
printf '{"version":1'; for f in "${FACTS[@]}"; do printf ',%s' "$f"; done; printf '}\n'
