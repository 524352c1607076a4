#!/usr/bin/env bash
# install-bundle.sh: first-boot installer of the OpenClaw gateway host (@@DEPLOYMENT@@).
# Rendered from host/scripts/install-bundle.sh (lib/host/runtime-files.ts) into the user data.
# Usage (cloud-init runcmd): install-bundle.sh <s3://bucket/key.tar.gz> <bundle sha256> <CloudFront domain> <vol-id>
#
# Installs the bundle only if its SHA-256 is the pinned one: files with the owner and mode of
# OPENCLAW_HOST_FILES, https://<CloudFront domain> added to the origins; then starts the egress
# proxy, checks the agent files, loads the firewall, runs `npm ci`, enables the units.
# A failure: one line `openclaw-install: FAILED: ...`, metric BootPreflightFailed{Step=Install},
# exit 1; the gateway is never enabled. Safe to run again.
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written,
# OPENCLAW_GATEWAY_USER replaces every gateway's user (openclaw-<id>, created here otherwise).
set -euo pipefail
umask 022

readonly TAG=openclaw-install
REGION="${AWS_REGION:-@@REGION@@}"
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
readonly R="${OPENCLAW_INSTALL_ROOT:-}"
readonly LIBEXEC=$R@@LIBEXEC_DIR@@ CONFIG_DIR=$R@@CONFIG_DIR@@ INSTALL_DIR=$R@@INSTALL_DIR@@
readonly AGENT_DIR=$R@@AGENT_FILES_DIR@@ MANIFEST=$R@@AGENT_FILES_MANIFEST@@
readonly NODE=$R@@NODE@@ UNITS=$R/etc/systemd/system NGINX=$R/etc/nginx NFT=$R/etc/nftables/openclaw.nft

log() { printf '%s: %s\n' "$TAG" "$*"; }
die() {
  timeout 15 "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" \
    --metric-name BootPreflightFailed --dimensions Step=Install --value 1 --unit Count >/dev/null 2>&1 || true
  printf '%s: FAILED: %s\n' "$TAG" "$*" >&2
  exit 1
}
trap 'die "line $LINENO: \"$BASH_COMMAND\" exited with status $?"' ERR

[ "$#" -eq 4 ] || die "usage: install-bundle.sh <s3://bucket/key> <sha256> <CloudFront domain> <vol-id>"
readonly URI=$1 SHA256=$2 CF=$3 VOLUME=$4
[[ "$URI" =~ ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^[:space:]]+$ ]] || die "bundle location $URI is not an s3://bucket/key URI"
[[ "$SHA256" =~ ^[0-9a-f]{64}$ ]] || die "bundle checksum $SHA256 is not a SHA-256 (64 lowercase hex digits)"
# "none": the viewer domain is not known at synth (no custom domain); config's
# edge.allowedOrigins carries the *.cloudfront.net name once it exists.
[[ "$CF" == none || "$CF" =~ ^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$ ]] || die "CloudFront domain $CF is not a DNS name like d111111abcdef8.cloudfront.net (or none)"
[[ "$VOLUME" =~ ^vol-[0-9a-f]{8,17}$ ]] || die "state volume $VOLUME is not a vol-id"
[[ -z "$R" || "$R" == /* ]] || die "OPENCLAW_INSTALL_ROOT must be an absolute path"
for tool in "$AWS_CLI" sha256sum tar install runuser; do
  command -v "$tool" >/dev/null || die "$tool not found (cloud-init packages step failed?)"
done
OS_NODE="$(command -v node-22 || command -v node)" || die "node not found (cloud-init packages step failed?)"

# Once it runs, only the egress proxy may open port 443: use it (host.env).
# shellcheck source=/dev/null
px() { set -a && . "$CONFIG_DIR/host.env" && set +a; }
if systemctl is-active --quiet @@EGRESS_PROXY_UNIT@@ 2>/dev/null; then px; fi

WORK="$(mktemp -d /var/tmp/openclaw-bundle.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log "downloading $URI"
AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional timeout 300 "$AWS_CLI" s3 cp --only-show-errors --region "$REGION" "$URI" "$WORK/bundle.tar.gz" ||
  die "could not download $URI (instance role allowed s3:GetObject on it? S3 reachable?)"
actual="$(sha256sum "$WORK/bundle.tar.gz" | cut -d ' ' -f 1)"
[ "$actual" = "$SHA256" ] || die "bundle SHA-256 is $actual, the user data pins $SHA256: refusing to install it"
B="$WORK/bundle"
mkdir "$B"
tar -xzf "$WORK/bundle.tar.gz" -C "$B" --no-same-owner --no-same-permissions
for f in @@BUNDLE_REQUIRED_FILES@@; do
  [ -f "$B/$f" ] || die "bundle has no $f"
done
[ -d "$B/agents" ] || die "bundle has no agents/ folder"
# The gateways of the bundle (gateways.list: <id> <user> <port> <agents>), each needs its unit and files.
GATEWAYS_LIST="$B/openclaw/gateways.list"
while read -r gw user _port _agents; do
  [[ "$gw" =~ ^[a-z0-9][a-z0-9-]*$ && "$user" == "openclaw-$gw" ]] || die "gateways.list: bad line for gateway '$gw' (user '$user')"
  for f in "systemd/@@GATEWAY_UNIT_PREFIX@@$gw.service" "openclaw/gateways/$gw/openclaw.json" \
    "openclaw/gateways/$gw/control-ui-origins.json" "openclaw/gateways/$gw/exec-approvals.json"; do
    [ -f "$B/$f" ] || die "bundle has no $f"
  done
done <"$GATEWAYS_LIST"

log "installing files"
install -d -o root -g root -m 0755 "$CONFIG_DIR" "$LIBEXEC" "$INSTALL_DIR" "$NGINX/openclaw" "$R/etc/nftables" \
  "$UNITS/nginx.service.d" "$R/etc/tmpfiles.d" "$R/etc/logrotate.d"
install -o root -g root -m 0755 "$B"/scripts/*.sh "$LIBEXEC/"
install -o root -g root -m 0644 "$B"/scripts/*.js "$LIBEXEC/"
install -o root -g root -m 0644 "$B"/systemd/*.service "$B"/systemd/*.timer "$B"/systemd/*.target "$UNITS/"
install -o root -g root -m 0644 "$B/systemd/nginx.service.d/openclaw.conf" "$UNITS/nginx.service.d/openclaw.conf"
install -o root -g root -m 0644 "$B/systemd/tmpfiles.d/openclaw.conf" "$R/etc/tmpfiles.d/openclaw.conf"
install -o root -g root -m 0644 "$B/openclaw/host.env" "$CONFIG_DIR/host.env"
install -o root -g root -m 0644 "$B/openclaw/secrets-manifest.json" "$R@@SECRETS_MANIFEST@@"
install -o root -g root -m 0644 "$B/openclaw/spend-meter.json" "$R@@SPEND_METER_MANIFEST@@"
if [ "$CF" != none ]; then echo "OPENCLAW_CLOUDFRONT_DOMAIN=$CF" >>"$CONFIG_DIR/host.env"; fi
echo "OPENCLAW_STATE_VOLUME_ID=$VOLUME" >>"$CONFIG_DIR/host.env"
install -o root -g root -m 0644 "$B/openclaw/package.json" "$B/openclaw/package-lock.json" "$INSTALL_DIR/"
install -o root -g root -m 0644 "$B/nginx/nginx.conf" "$NGINX/nginx.conf"
install -o root -g root -m 0644 "$B/nginx/openclaw/allowed-origins.map.conf" "$NGINX/openclaw/"
install -o root -g root -m 0644 "$B/@@NGINX_LOG_ROTATION_BUNDLE@@" "$R/etc/logrotate.d/nginx"
map="$NGINX/openclaw/allowed-origins.map.conf"
if [ "$CF" != none ]; then grep -qxF "\"https://$CF\" 1;" "$map" || echo "\"https://$CF\" 1;" >>"$map"; fi
install -o root -g root -m 0600 "$B/nftables/openclaw.nft" "$NFT"
install -D -o root -g root -m 0644 "$B/@@CLOUDWATCH_AGENT_BUNDLE@@" "$R@@CLOUDWATCH_AGENT_CONFIG@@"
log "egress proxy"
"$LIBEXEC/start-egress-proxy.sh" "$B" || die "egress proxy step failed"
px

# Each gateway: its user, log folder, config files, agents' files (install-gateways.sh, in the bundle).
rm -rf "$AGENT_DIR.new"
OPENCLAW_OS_NODE="$OS_NODE" "$LIBEXEC/install-gateways.sh" "$B" "$CF" "$AGENT_DIR.new" || die "gateway files step failed (see above)"
if [ -n "$(cd "$B/agents" && find . ! -type f ! -type d)" ]; then die "bundle agents/ holds something other than files and folders"; fi
rm -rf "$AGENT_DIR.old"
if [ -d "$AGENT_DIR" ]; then mv "$AGENT_DIR" "$AGENT_DIR.old"; fi
mv "$AGENT_DIR.new" "$AGENT_DIR"
rm -rf "$AGENT_DIR.old"
install -o root -g root -m 0644 "$B/agents.sha256" "$MANIFEST"
OPENCLAW_AGENT_FILES_DIR="$AGENT_DIR" OPENCLAW_AGENT_FILES_MANIFEST="$MANIFEST" OPENCLAW_GATEWAYS_LIST="$R@@GATEWAYS_LIST@@" \
  OPENCLAW_AGENT_FILES_GROUP="${OPENCLAW_GATEWAY_USER:-}" "$LIBEXEC/check-agent-files.sh" || die "agent files do not match $MANIFEST (see the lines above)"
log "state volume $VOLUME, state folders"
"$LIBEXEC/prepare-state.sh" || die "state volume step failed: journalctl -u @@STATE_VOLUME_UNIT@@"

log "loading the firewall"
nft -c -f "$NFT" || die "nft rejects $NFT"
nft -f "$NFT"
mkdir -p "$R/etc/sysconfig"
main="$R/etc/sysconfig/nftables.conf"
touch "$main"
grep -qxF 'include "/etc/nftables/openclaw.nft"' "$main" || echo 'include "/etc/nftables/openclaw.nft"' >>"$main"

log "installing the pinned runtime (npm ci, lockfile integrity)"
lock="$INSTALL_DIR/package-lock.json"
"$OS_NODE" -e '@@LOCKFILE_CHECK_JS@@' "$lock" || die "$lock: refusing to install packages without a sha512 integrity hash"
stamp="$INSTALL_DIR/.installed-lock.sha256"
if [ -x "$NODE" ] && [ -f "$stamp" ] && sha256sum --quiet -c "$stamp" >/dev/null 2>&1; then
  log "node_modules already matches the lockfile"
else
  NPM="$(command -v npm-22 || command -v npm)" || die "npm not found (cloud-init packages step failed?)"
  (cd "$INSTALL_DIR" && HOME=/root npm_config_cache=$R/var/cache/openclaw-npm npm_config_update_notifier=false \
    npm_config_https_proxy=@@EGRESS_PROXY_URL@@ \
    timeout 900 "$NPM" ci --ignore-scripts --omit=dev --no-audit --no-fund) || die "npm ci failed in $INSTALL_DIR (see above)"
  sha256sum "$lock" >"$stamp"
fi
# The node package's own preinstall (skipped: --ignore-scripts) would link its binary
# from the platform package; do the same.
case "$(uname -m)" in aarch64) arch=arm64 ;; x86_64) arch=x64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
platform_node="$INSTALL_DIR/node_modules/node-linux-$arch/bin/node"
[ -x "$platform_node" ] || die "$platform_node missing after npm ci (lockfile without node-linux-$arch?)"
mkdir -p "$(dirname "$NODE")"
ln -f "$platform_node" "$NODE"
[ -f "$R@@OPENCLAW_BIN@@" ] || die "@@OPENCLAW_BIN@@ missing after npm ci (lockfile without openclaw?)"
node_version="$("$NODE" --version)" || die "@@NODE@@ does not run"
[[ "$node_version" == v24.* ]] || die "@@NODE@@ is $node_version, expected Node 24"

log "enabling the units"
# Day 2: a gateway the bundle no longer lists (its agent removed) is stopped, disabled and its
# unit removed; its state stays on the volume.
gateway_units=()
while read -r gw _user _port _agents; do gateway_units+=("@@GATEWAY_UNIT_PREFIX@@$gw.service"); done <"$GATEWAYS_LIST"
for f in "$UNITS"/@@GATEWAY_UNIT_PREFIX@@*.service; do
  [ -e "$f" ] || continue
  u="${f##*/}"
  if [[ " ${gateway_units[*]} " != *" $u "* ]]; then
    log "gateway $u is no longer in the bundle: stopping and disabling it"
    systemctl disable --now "$u" || true
    rm -f "$f"
  fi
done
systemd-tmpfiles --create "$R/etc/tmpfiles.d/openclaw.conf"
systemctl daemon-reload
systemctl enable nftables.service openclaw-imds-preflight.service @@STATE_VOLUME_UNIT@@ openclaw-secrets.service \
  @@GATEWAYS_TARGET@@ "${gateway_units[@]}" nginx.service
# The audit trail and the spend meter before the gateway.
systemctl enable --now @@CLOUDWATCH_AGENT_UNIT@@ openclaw-log-export.timer openclaw-integrity.timer \
  openclaw-secrets-refresh.timer openclaw-health.timer openclaw-spend-meter.timer @@PROXY_ROTATE_TIMER@@ @@NGINX_ROTATE_TIMER@@
# --no-block: cloud-init runs inside the boot transaction; the gateway pulls in the
# preflight and the secrets step, and reports its own failures.
systemctl start --no-block @@GATEWAYS_TARGET@@ nginx.service
echo "$SHA256" >"$CONFIG_DIR/bundle.sha256"
log "done: bundle $SHA256 installed; gateway starting (journalctl -u 'openclaw-*')"
