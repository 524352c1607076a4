#!/usr/bin/env bash
# install-bundle.sh: first-boot installer of the OpenClaw gateway host (@@DEPLOYMENT@@).
# Rendered from host/scripts/install-bundle.sh (lib/host/runtime-files.ts) into the user data.
# Usage (cloud-init runcmd): install-bundle.sh <s3://bucket/key.tar.gz> <sha256 of the bundle>
#
# Downloads the deployment bundle (S3 asset of the stack), refuses it unless its SHA-256 is
# the one pinned in the user data, installs every file with its owner and mode, verifies the
# agent files, loads the firewall, runs `npm ci --ignore-scripts --omit=dev` of the shipped
# lockfile (npm checks each package against the lockfile's integrity hash), then enables and
# starts the units. Any failure ends the run with one line `openclaw-install: FAILED: ...`,
# a best-effort metric BootPreflightFailed{Step=Install}, and a non-zero status (cloud-init
# reports it); the gateway is then never enabled. Safe to run again with the same bundle.
set -euo pipefail
umask 022

readonly TAG=openclaw-install
REGION="${AWS_REGION:-@@REGION@@}"
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
readonly USER_NAME=@@USER@@
readonly LIBEXEC=@@LIBEXEC_DIR@@ CONFIG_DIR=@@CONFIG_DIR@@ INSTALL_DIR=@@INSTALL_DIR@@
readonly AGENT_DIR=@@AGENT_FILES_DIR@@ MANIFEST=@@AGENT_FILES_MANIFEST@@
readonly UNITS=/etc/systemd/system NFT_MAIN=/etc/sysconfig/nftables.conf

log() { printf '%s: %s\n' "$TAG" "$*"; }
die() {
  timeout 15 "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" \
    --metric-name BootPreflightFailed --dimensions Step=Install --value 1 --unit Count >/dev/null 2>&1 || true
  printf '%s: FAILED: %s\n' "$TAG" "$*" >&2
  exit 1
}
trap 'die "line $LINENO: \"$BASH_COMMAND\" exited with status $?"' ERR

[ "$#" -eq 2 ] || die "usage: install-bundle.sh <s3://bucket/key> <sha256>"
readonly URI=$1 SHA256=$2
[[ "$URI" =~ ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^[:space:]]+$ ]] || die "bundle location $URI is not an s3://bucket/key URI"
[[ "$SHA256" =~ ^[0-9a-f]{64}$ ]] || die "bundle checksum $SHA256 is not a SHA-256 (64 lowercase hex digits)"
for tool in "$AWS_CLI" sha256sum tar install runuser; do
  command -v "$tool" >/dev/null || die "$tool not found (cloud-init packages step failed?)"
done

WORK="$(mktemp -d /var/tmp/openclaw-bundle.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log "downloading $URI"
timeout 300 "$AWS_CLI" s3 cp --only-show-errors --region "$REGION" "$URI" "$WORK/bundle.tar.gz" ||
  die "could not download $URI (instance role allowed s3:GetObject on it? S3 reachable?)"
actual="$(sha256sum "$WORK/bundle.tar.gz" | cut -d ' ' -f 1)"
[ "$actual" = "$SHA256" ] || die "bundle SHA-256 is $actual, the user data pins $SHA256: refusing to install it"
B="$WORK/bundle"
mkdir "$B"
tar -xzf "$WORK/bundle.tar.gz" -C "$B" --no-same-owner --no-same-permissions
for f in openclaw/openclaw.json openclaw/package.json openclaw/package-lock.json agents.sha256 \
  openclaw/host.env nginx/nginx.conf nginx/openclaw/allowed-origins.map.conf nftables/openclaw.nft \
  systemd/openclaw-gateway.service systemd/openclaw-imds-preflight.service systemd/openclaw-secrets.service \
  systemd/openclaw-integrity.service systemd/openclaw-integrity.timer systemd/nginx.service.d/openclaw.conf \
  systemd/tmpfiles.d/openclaw.conf scripts/imds-preflight.sh scripts/check-agent-files.sh scripts/fetch-secrets.sh; do
  [ -f "$B/$f" ] || die "bundle has no $f"
done
[ -d "$B/agents" ] || die "bundle has no agents/ folder"
id -u "$USER_NAME" >/dev/null 2>&1 || die "system user $USER_NAME missing (cloud-init users step failed?)"

log "installing files"
install -d -o root -g root -m 0755 "$CONFIG_DIR" "$LIBEXEC" "$INSTALL_DIR" /etc/nginx/openclaw /etc/nftables \
  "$UNITS/nginx.service.d" /etc/tmpfiles.d
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 @@STATE_DIR@@ @@WORKSPACES_DIR@@
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 @@LOG_DIR@@
install -o root -g root -m 0755 "$B"/scripts/*.sh "$LIBEXEC/"
install -o root -g root -m 0644 "$B"/systemd/*.service "$B"/systemd/*.timer "$UNITS/"
install -o root -g root -m 0644 "$B/systemd/nginx.service.d/openclaw.conf" "$UNITS/nginx.service.d/openclaw.conf"
install -o root -g root -m 0644 "$B/systemd/tmpfiles.d/openclaw.conf" /etc/tmpfiles.d/openclaw.conf
install -o root -g root -m 0644 "$B/openclaw/host.env" "$CONFIG_DIR/host.env"
install -o root -g "$USER_NAME" -m 0640 "$B/openclaw/openclaw.json" @@CONFIG_FILE@@
install -o root -g root -m 0644 "$B/openclaw/package.json" "$B/openclaw/package-lock.json" "$INSTALL_DIR/"
install -o root -g root -m 0644 "$B/nginx/nginx.conf" /etc/nginx/nginx.conf
install -o root -g root -m 0644 "$B/nginx/openclaw/allowed-origins.map.conf" /etc/nginx/openclaw/
install -o root -g root -m 0600 "$B/nftables/openclaw.nft" /etc/nftables/openclaw.nft

# Agent files: root:openclaw 0444 in root 0755 folders, swapped in whole (removed agents go).
rm -rf "$AGENT_DIR.new"
install -d -o root -g root -m 0755 "$AGENT_DIR.new"
(cd "$B/agents" && find . -mindepth 1 -type d -print0) | while IFS= read -r -d '' d; do
  install -d -o root -g root -m 0755 "$AGENT_DIR.new/$d"
done
(cd "$B/agents" && find . -type f -print0) | while IFS= read -r -d '' f; do
  install -o root -g "$USER_NAME" -m 0444 "$B/agents/$f" "$AGENT_DIR.new/$f"
done
if [ -n "$(cd "$B/agents" && find . ! -type f ! -type d)" ]; then die "bundle agents/ holds something other than files and folders"; fi
rm -rf "$AGENT_DIR.old"
if [ -d "$AGENT_DIR" ]; then mv "$AGENT_DIR" "$AGENT_DIR.old"; fi
mv "$AGENT_DIR.new" "$AGENT_DIR"
rm -rf "$AGENT_DIR.old"
install -o root -g root -m 0644 "$B/agents.sha256" "$MANIFEST"
"$LIBEXEC/check-agent-files.sh" || die "agent files do not match $MANIFEST (see the lines above)"

log "loading the firewall"
nft -c -f /etc/nftables/openclaw.nft || die "nft rejects /etc/nftables/openclaw.nft"
nft -f /etc/nftables/openclaw.nft
touch "$NFT_MAIN"
grep -qxF 'include "/etc/nftables/openclaw.nft"' "$NFT_MAIN" || echo 'include "/etc/nftables/openclaw.nft"' >>"$NFT_MAIN"

log "installing the pinned runtime (npm ci, lockfile integrity)"
lock="$INSTALL_DIR/package-lock.json"
OS_NODE="$(command -v node-22 || command -v node)" || die "node not found (cloud-init packages step failed?)"
"$OS_NODE" -e '@@LOCKFILE_CHECK_JS@@' "$lock" || die "$lock: refusing to install packages without a sha512 integrity hash"
stamp="$INSTALL_DIR/.installed-lock.sha256"
if [ -x @@NODE@@ ] && [ -f "$stamp" ] && sha256sum --quiet -c "$stamp" >/dev/null 2>&1; then
  log "node_modules already matches the lockfile"
else
  NPM="$(command -v npm-22 || command -v npm)" || die "npm not found (cloud-init packages step failed?)"
  (cd "$INSTALL_DIR" && HOME=/root npm_config_cache=/var/cache/openclaw-npm npm_config_update_notifier=false \
    timeout 900 "$NPM" ci --ignore-scripts --omit=dev --no-audit --no-fund) || die "npm ci failed in $INSTALL_DIR (see above)"
  sha256sum "$lock" >"$stamp"
fi
# The node package's own preinstall (skipped: --ignore-scripts) would link its binary
# from the platform package; do the same.
case "$(uname -m)" in aarch64) arch=arm64 ;; x86_64) arch=x64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
platform_node="$INSTALL_DIR/node_modules/node-linux-$arch/bin/node"
[ -x "$platform_node" ] || die "$platform_node missing after npm ci (lockfile without node-linux-$arch?)"
mkdir -p "$(dirname @@NODE@@)"
ln -f "$platform_node" @@NODE@@
[ -f @@OPENCLAW_BIN@@ ] || die "@@OPENCLAW_BIN@@ missing after npm ci (lockfile without openclaw?)"
node_version="$(@@NODE@@ --version)" || die "@@NODE@@ does not run"
[[ "$node_version" == v24.* ]] || die "@@NODE@@ is $node_version, expected Node 24"

log "enabling the units"
systemd-tmpfiles --create /etc/tmpfiles.d/openclaw.conf
systemctl daemon-reload
systemctl enable nftables.service openclaw-imds-preflight.service openclaw-secrets.service \
  openclaw-gateway.service openclaw-integrity.timer nginx.service
systemctl start openclaw-integrity.timer
# --no-block: cloud-init runs inside the boot transaction; the gateway pulls in the
# preflight and the secrets step, and reports its own failures.
systemctl start --no-block openclaw-gateway.service nginx.service
echo "$SHA256" >"$CONFIG_DIR/bundle.sha256"
log "done: bundle $SHA256 installed; gateway starting (journalctl -u 'openclaw-*')"
