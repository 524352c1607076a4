#!/usr/bin/env bash
# check-gateway-health.sh: health of the OpenClaw gateways of @@DEPLOYMENT@@, for its alarm.
# Rendered from host/scripts/check-gateway-health.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by openclaw-health.service (openclaw-health.timer: every minute).
#
# Checks, each bounded by OPENCLAW_HEALTH_TIMEOUT seconds:
#   Gateway  EVERY gateway of @@GATEWAYS_LIST@@ (`<id> <user> <port> <agents>` a line) answers
#            HTTP on 127.0.0.1:<its port>: GET /healthz (OpenClaw's unauthenticated liveness
#            probe) with any status below 500. A list that cannot be read, names no gateway or
#            has a line that is not `<id> <user> <port> <agents>` fails this check.
#   Proxy    nginx accepts TCP connections on 127.0.0.1:<proxy port> (a connection without a
#            request: nothing lands in nginx's access log)
#   Egress   an HTTPS request to this region's STS endpoint (allowlisted in the DNS Firewall)
#            gets any HTTP answer: DNS, the NAT and the route out all work (through the egress
#            proxy when the unit's environment names one in HTTPS_PROXY: curl reads it)
# A gateway its spend breaker stopped (its marker <id>.tripped in @@BREAKER_MARKER_DIR@@, which
# this unprivileged check cannot read: it reads the listing the unit's privileged ExecStartPre
# writes) is not probed and is reported as tripped, one `openclaw-health: TRIPPED <id>: ...` line
# on stdout, NOT as unhealthy: its BreakerTripped alarm covers it, and the host's other gateways
# keep their health alarm. Without that listing no gateway counts as tripped (a stopped gateway
# then fails its check: the safe side).
# It also reads the nftables counter egress_blocked (outbound packets the host firewall refused:
# connections that skipped the egress proxy), from the snapshot the unit's privileged
# ExecStartPre writes (`nft list counter`; this script has no capability to read it itself).
# Then publishes, in one request and best-effort, @@HEALTH_METRIC@@ without dimensions = 1
# (every gateway not tripped answers, and the proxy) or 0: what the GatewayUnhealthy alarm
# watches; @@HEALTH_METRIC@@ with dimension Gateway=<id> = 0 for each gateway probed that failed
# (only then: it says which one, at no cost while all answer; none for a tripped one); @@EGRESS_METRIC@@ = 1 only when the egress check passed (never 0: a host
# without egress could not publish it anyway; its alarm treats missing data as breaching), and
# EgressBlocked = the counter's rise since the last run, only when it rose (the counter
# restarts at 0 with the ruleset: a value below the last one is all new; no last value, as
# after a reboot empties /run, counts from 0). A missing or unreadable snapshot publishes no
# EgressBlocked and warns on stderr; it never changes the health result.
#   Disk     free space and free inodes of @@STATE_DIR@@ (the state volume) and /var/log (the
#            root volume's logs): below @@HEADROOM_MIN@@ % free of either, a FAILED Disk line naming
#            the volume and @@DISK_METRIC@@ = the lowest free percentage (its own alarm, not
#            @@HEALTH_METRIC@@: a full disk breaks new sessions while /healthz still answers).
#   Memory   MemAvailable of /proc/meminfo in percent of MemTotal: below @@HEADROOM_MIN@@ %, a
#            FAILED Memory line and @@MEMORY_METRIC@@ = that percentage (its own alarm too).
#   Usable   what users need, per gateway probed: the result of its probe (host/gateway-probe/, run
#            by the unit's privileged ExecStartPre run-gateway-probes.sh as the gateway's user: a
#            signed device connection and a session created and deleted: a full state disk fails it
#            while /healthz answers; so do a connection over 2 s and no answer in 10 s). A gateway
#            not usable, or without a result, is a FAILED Usable line and counts as unhealthy:
#            @@HEALTH_METRIC@@ = 0, and 0 for it with Gateway=<id>.
#   Channel  every channel account the probes report that is not running (stopped, suppressed by
#            OpenClaw's crash-loop breaker, or missing): a FAILED Channel line each and
#            @@CHANNELS_DOWN_METRIC@@ = how many (its own alarm; not @@HEALTH_METRIC@@).
# Disk, memory and channel metrics are published only when they report a problem: a custom metric
# is billed for the hours it reports, and their alarms read a missing minute as fine. The OK line
# says the disk and memory headroom every run.
# Output: one line per failed check (per gateway for Gateway) on stderr,
#   openclaw-health: FAILED <Check>: <what failed and where to look> [metric ...]
# and exit status 1; when healthy one OK line on stdout and exit status 0.
#
# Environment (defaults in brackets; the unit sets the namespace and region from host.env):
#   OPENCLAW_GATEWAYS_LIST [@@GATEWAYS_LIST@@]  OPENCLAW_PROXY_PORT [@@PROXY_PORT@@]  OPENCLAW_HEALTH_TIMEOUT [5]
#   OPENCLAW_BREAKER_TRIPPED_FILE [/run/openclaw-breaker-tripped.list]  (the listing: a name a line)
#   OPENCLAW_AWS_CLI [aws]  AWS_CLI_TIMEOUT [15]
#   OPENCLAW_METRIC_NAMESPACE [@@METRIC_NAMESPACE@@]  AWS_REGION [@@REGION@@]
#   OPENCLAW_EGRESS_URL [https://sts.@@REGION@@.amazonaws.com/]
#   OPENCLAW_EGRESS_COUNTER_FILE [/run/openclaw-egress-blocked.counter]  (the snapshot)
#   OPENCLAW_DISK_PATHS [@@STATE_DIR@@ /var/log]  OPENCLAW_DF [df]  OPENCLAW_MEMINFO [/proc/meminfo]
#   OPENCLAW_PROBE_RESULTS [/run/openclaw-probe]  OPENCLAW_NODE [@@NODE@@]
#   RUNTIME_DIRECTORY [set by systemd: RuntimeDirectory=; holds the last value]
set -uo pipefail

readonly TAG=openclaw-health HOST=127.0.0.1
GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-@@GATEWAYS_LIST@@}"
TRIPPED_FILE="${OPENCLAW_BREAKER_TRIPPED_FILE:-/run/openclaw-breaker-tripped.list}"
PROXY_PORT="${OPENCLAW_PROXY_PORT:-@@PROXY_PORT@@}"
TIMEOUT="${OPENCLAW_HEALTH_TIMEOUT:-5}"
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
REGION="${AWS_REGION:-@@REGION@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
AWS_CLI_TIMEOUT="${AWS_CLI_TIMEOUT:-15}"
EGRESS_URL="${OPENCLAW_EGRESS_URL:-https://sts.@@REGION@@.amazonaws.com/}"
COUNTER_FILE="${OPENCLAW_EGRESS_COUNTER_FILE:-/run/openclaw-egress-blocked.counter}"
DISK_PATHS="${OPENCLAW_DISK_PATHS:-@@STATE_DIR@@ /var/log}"
DF="${OPENCLAW_DF:-df}"
MEMINFO="${OPENCLAW_MEMINFO:-/proc/meminfo}"
PROBE_RESULTS="${OPENCLAW_PROBE_RESULTS:-/run/openclaw-probe}"
NODE="${OPENCLAW_NODE:-@@NODE@@}"
readonly HEADROOM_MIN=@@HEADROOM_MIN@@

FAILED=()
failed() { FAILED+=("$1: $2"); } # CHECK WHAT

# Gateway: HTTP on loopback, straight to each gateway (not through nginx).
GATEWAY_DATA=() ANSWERED=() TRIPPED=() PROBED=() UNHEALTHY=()
probe_gateway() { # ID PORT
  local id="$1" url="http://$HOST:$2/healthz" out rc code err
  out="$(curl --silent --noproxy '*' --connect-timeout "$TIMEOUT" --max-time "$TIMEOUT" -o /dev/null \
    -w '%{http_code} %{errormsg}' "$url")"
  rc=$?
  code="${out%% *}"
  err="${out#* }"
  if [ "$rc" -ne 0 ] || [ "${code:-000}" = 000 ]; then
    failed Gateway "$id: no HTTP answer from $url within ${TIMEOUT} s (curl exit $rc${err:+, $err}); see journalctl -u @@GATEWAY_UNIT_PREFIX@@$id.service"
  elif [ "$code" -ge 500 ]; then
    failed Gateway "$id: $url answered HTTP $code; see journalctl -u @@GATEWAY_UNIT_PREFIX@@$id.service"
  else
    ANSWERED+=("$id:$2")
    return 0
  fi
  return 1
}
gateways=0
if [ ! -r "$GATEWAYS_LIST" ]; then
  failed Gateway "cannot read the list of gateways $GATEWAYS_LIST; see journalctl -u openclaw-install"
else
  while read -r id _user port _agents; do
    if ! [[ "$id" =~ ^[a-z0-9][a-z0-9-]*$ && "$port" =~ ^[0-9]{1,5}$ ]]; then
      failed Gateway "$GATEWAYS_LIST: a line that is not <id> <user> <port> <agents> (gateway '${id:-}')"
      continue
    fi
    gateways=$((gateways + 1))
    if [ -r "$TRIPPED_FILE" ] && grep -qxF "$id.tripped" "$TRIPPED_FILE"; then
      TRIPPED+=("$id")
      continue
    fi
    PROBED+=("$id")
    # Per gateway only when it fails: a metric is billed for the hours it reports, so one that
    # reports every minute per gateway would add $0.30 a month per agent for what the AND says.
    probe_gateway "$id" "$port" || {
      UNHEALTHY+=("$id")
      GATEWAY_DATA+=("MetricName=@@HEALTH_METRIC@@,Dimensions=[{Name=Gateway,Value=$id}],Value=0,Unit=None")
    }
  done <"$GATEWAYS_LIST"
  [ "$gateways" -gt 0 ] || failed Gateway "$GATEWAYS_LIST names no gateway"
fi

# Proxy: a TCP connection to nginx's port, closed at once.
# shellcheck disable=SC2016 # $1 and $2 expand in the inner shell
if ! timeout "$TIMEOUT" bash -c 'exec 3<>"/dev/tcp/$1/$2"' sh "$HOST" "$PROXY_PORT" 2>/dev/null; then
  failed Proxy "nothing accepts connections on $HOST:$PROXY_PORT within ${TIMEOUT} s (nginx); see journalctl -u nginx"
fi

# Usable and channels: each probed gateway's result (<id>.json); no result is unusable. The reader
# prints one tab-separated line per finding, then `end`: without `end` nothing was read. An unusable
# gateway fails the Usable check (and so @@HEALTH_METRIC@@, with its own Gateway=<id> 0); a channel
# that is not running is counted, and reported after the health value is set.
channels_down=0
CHANNEL_FAILS=()
if [ "${#PROBED[@]}" -gt 0 ]; then
  ended=0
  # shellcheck disable=SC2016 # JavaScript, not shell
  while IFS=$'\t' read -r kind id what state why; do
    case "$kind" in
      unusable)
        failed Usable "$id: $what; see the gateway-unhealthy runbook"
        [[ " ${UNHEALTHY[*]} " == *" $id "* ]] || GATEWAY_DATA+=("MetricName=@@HEALTH_METRIC@@,Dimensions=[{Name=Gateway,Value=$id}],Value=0,Unit=None")
        ;;
      channel)
        channels_down=$((channels_down + 1))
        CHANNEL_FAILS+=("$id: $what is $state${why:+ ($why)}; see the channel-down runbook")
        ;;
      end) ended=1 ;;
    esac
  done < <("$NODE" -e '
const fs = require("fs");
const [dir, ...ids] = process.argv.slice(1);
const clean = (t) => String(t ?? "").replace(/[\t\r\n]+/g, " ").slice(0, 300);
for (const id of ids) {
  let r;
  try { r = JSON.parse(fs.readFileSync(`${dir}/${id}.json`, "utf8")); } catch { r = undefined; }
  if (!r || typeof r.usable !== "boolean") { console.log(["unusable", id, `no probe result in ${dir}/${id}.json (see journalctl -u openclaw-health)`].join("\t")); continue; }
  if (!r.usable) console.log(["unusable", id, clean(r.reason || "not usable")].join("\t"));
  for (const c of Array.isArray(r.channels) ? r.channels : []) {
    if (c.running !== true) console.log(["channel", id, clean(`${c.channel}/${c.account}`), clean(c.state || "not running"), clean(c.reason)].join("\t"));
  }
}
console.log("end");
' "$PROBE_RESULTS" "${PROBED[@]}" 2>/dev/null)
  if [ "$ended" -ne 1 ]; then
    failed Usable "cannot read the probe results in $PROBE_RESULTS with $NODE; see journalctl -u openclaw-health"
  fi
fi

value=1
[ "${#FAILED[@]}" -eq 0 ] || value=0
for f in "${CHANNEL_FAILS[@]}"; do failed Channel "$f"; done

# Disk: the lowest free share (space or inodes) of the volumes; 0 when df cannot tell.
disk=100
for p in $DISK_PATHS; do
  read -r used iused < <("$DF" --output=pcent,ipcent "$p" 2>/dev/null | sed -n '2s/[%-]/ /gp')
  if ! [[ "${used:-}" =~ ^[0-9]+$ ]]; then
    disk=0
    failed Disk "df cannot read $p; see journalctl -u openclaw-health"
    continue
  fi
  [[ "${iused:-}" =~ ^[0-9]+$ ]] || iused=0 # a file system without inode counts (df prints -)
  free=$((100 - (used > iused ? used : iused)))
  [ "$free" -ge "$disk" ] || disk=$free
  if [ "$free" -lt "$HEADROOM_MIN" ]; then
    failed Disk "$p has $((100 - used)) % of its space and $((100 - iused)) % of its inodes free (below $HEADROOM_MIN %): new sessions and logs fail when it fills; see the disk-low runbook"
  fi
done

# Memory: MemAvailable in percent of MemTotal; 0 when unreadable.
memory="$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { if (t > 0 && a != "") printf "%d", a * 100 / t; else print "" }' "$MEMINFO" 2>/dev/null)"
if ! [[ "$memory" =~ ^[0-9]+$ ]]; then
  memory=0
  failed Memory "cannot read MemTotal and MemAvailable of $MEMINFO"
elif [ "$memory" -lt "$HEADROOM_MIN" ]; then
  failed Memory "$memory % of the memory is available (below $HEADROOM_MIN %): the gateways are near their limit or the host swaps; see the memory-low runbook"
fi

# Egress: any HTTP answer over HTTPS from an allowlisted AWS endpoint, through the egress proxy
# (HTTPS_PROXY of the environment: host.env) and the NAT. No --noproxy here, unlike the loopback probes.
egress=1
out="$(curl --silent --connect-timeout "$TIMEOUT" --max-time "$TIMEOUT" -o /dev/null \
  -w '%{http_code} %{errormsg}' "$EGRESS_URL")"
rc=$?
code="${out%% *}"
err="${out#* }"
if [ "$rc" -ne 0 ] || [ "${code:-000}" = 000 ]; then
  egress=0
  failed Egress "no HTTPS answer from $EGRESS_URL within ${TIMEOUT} s (curl exit $rc${err:+, $err}): the egress proxy, the NAT, its route or the DNS Firewall; see the egress-unhealthy runbook"
fi

# Blocked egress: `packets N bytes M` of the snapshot, against the last value in RUNTIME_DIRECTORY.
blocked=0
WARNINGS=()
now="$(sed -n 's/^[[:space:]]*packets \([0-9]\{1,18\}\) bytes [0-9]\{1,20\}[[:space:]]*$/\1/p' "$COUNTER_FILE" 2>/dev/null | head -n 1)"
if [ -z "$now" ]; then
  WARNINGS+=("EgressBlocked: no counter in $COUNTER_FILE (the unit's ExecStartPre nft list counter failed?); see journalctl -u openclaw-health")
elif [ -z "${RUNTIME_DIRECTORY:-}" ]; then
  WARNINGS+=("EgressBlocked: no RUNTIME_DIRECTORY to keep the last value in; counter $now not published")
else
  last_file="$RUNTIME_DIRECTORY/egress-blocked.last"
  last="$(cat "$last_file" 2>/dev/null)"
  case "$last" in '' | *[!0-9]*) last=0 ;; esac
  now=$((10#$now))
  last=$((10#$last))
  if [ "$now" -ge "$last" ]; then blocked=$((now - last)); else blocked=$now; fi
  printf '%s\n' "$now" >"$last_file.new" && mv -f "$last_file.new" "$last_file" ||
    WARNINGS+=("EgressBlocked: cannot keep the last value in $last_file")
fi

data=("MetricName=@@HEALTH_METRIC@@,Value=$value,Unit=None" "${GATEWAY_DATA[@]}")
# Disk, memory and channels only when something is wrong: a metric is billed for the hours it
# reports, and their alarms read a missing minute as fine (the OK line still says the headroom).
names="@@HEALTH_METRIC@@=$value"
if [ "$disk" -lt "$HEADROOM_MIN" ]; then
  data+=("MetricName=@@DISK_METRIC@@,Value=$disk,Unit=Percent")
  names="$names @@DISK_METRIC@@=$disk"
fi
if [ "$memory" -lt "$HEADROOM_MIN" ]; then
  data+=("MetricName=@@MEMORY_METRIC@@,Value=$memory,Unit=Percent")
  names="$names @@MEMORY_METRIC@@=$memory"
fi
if [ "$channels_down" -gt 0 ]; then
  data+=("MetricName=@@CHANNELS_DOWN_METRIC@@,Value=$channels_down,Unit=Count")
  names="$names @@CHANNELS_DOWN_METRIC@@=$channels_down"
fi
[ "$egress" -eq 0 ] || data+=("MetricName=@@EGRESS_METRIC@@,Value=1,Unit=None")
[ "$blocked" -eq 0 ] || data+=("MetricName=EgressBlocked,Value=$blocked,Unit=Count")
timeout "$AWS_CLI_TIMEOUT" "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" \
  --metric-data "${data[@]}" --cli-connect-timeout 3 --cli-read-timeout 5 >/dev/null 2>&1
rc=$?
[ "$egress" -eq 0 ] || names="$names @@EGRESS_METRIC@@=1"
[ "$blocked" -eq 0 ] || names="$names EgressBlocked=$blocked"
if [ "$rc" -eq 0 ]; then
  metric="metric $names published to $NAMESPACE"
else
  metric="metric $names not published: $AWS_CLI exit $rc"
fi

for t in "${TRIPPED[@]}"; do
  printf '%s: TRIPPED %s: stopped by its spend breaker (@@BREAKER_MARKER_DIR@@/%s.tripped), not probed and not counted as unhealthy; see its BreakerTripped alarm [%s]\n' "$TAG" "$t" "$t" "$metric"
done
for w in "${WARNINGS[@]}"; do printf '%s: WARNING %s [%s]\n' "$TAG" "$w" "$metric" >&2; done
if [ "${#FAILED[@]}" -eq 0 ]; then
  printf '%s: OK: the gateways answer on %s (%s), nginx listens on %s:%s, HTTPS leaves the host (%s), disk %s %% and memory %s %% free [%s]\n' \
    "$TAG" "$HOST" "${ANSWERED[*]:-none: every gateway tripped}" "$HOST" "$PROXY_PORT" "$EGRESS_URL" "$disk" "$memory" "$metric"
  exit 0
fi
for f in "${FAILED[@]}"; do printf '%s: FAILED %s [%s]\n' "$TAG" "$f" "$metric" >&2; done
exit 1
