#!/usr/bin/env bash
# Installs the Debian packages the host tests (test/host, test/host-runtime) run
# for real, and does nothing when they are all there already (idempotent):
#   nginx        `nginx -t` and a live proxy on loopback (test/host)
#   nftables     `nft -c`, and rulesets loaded in network namespaces the tests create
#   iproute2     `ip netns`
#   cloud-init   `cloud-init schema -c <user data>` (Debian bookworm: 22.4.2)
#   ShellCheck   `shellcheck -S style` on every shell script shipped to the host
#   systemd      `systemd-analyze verify` and `systemd-analyze security --offline`
#                on the unit files (no running systemd needed)
#   util-linux   runuser (the integrity check tests writability as the gateway user)
#   coreutils    sha256sum, timeout
#   curl         the IMDS preflight talks to a stub metadata server on loopback
#   e2fsprogs    chattr/lsattr: the append-only audit copies are tested for real
#   squid        the egress proxy, run for real with the rendered squid.conf in a network
#                namespace (test/host/egress-proxy-netns.test.ts); its service is never started
#   logrotate    nginx's size-based log rotation, run for real (test/host/nginx-log-rotation.test.ts)
# and the system user `squid` that Amazon Linux 2023's squid package creates (Debian's runs as
# `proxy`): the rendered squid.conf and nftables ruleset name that user.
# Run as root (CI does) or with sudo available. Nothing else is fetched.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

missing=()
have nginx || missing+=(nginx)
have nft || missing+=(nftables)
have ip || missing+=(iproute2)
have cloud-init || missing+=(cloud-init)
have shellcheck || missing+=(shellcheck)
have systemd-analyze || missing+=(systemd)
have runuser || missing+=(util-linux)
have sha256sum || missing+=(coreutils)
have curl || missing+=(curl)
have chattr || missing+=(e2fsprogs)
have squid || missing+=(squid)
have logrotate || missing+=(logrotate)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
ensure_squid_user() {
  getent passwd squid >/dev/null ||
    $SUDO useradd --system --user-group --no-create-home --home-dir /var/spool/squid --shell /usr/sbin/nologin squid
  # The example's gateway users (lib/openclaw/gateways.ts: openclaw-<agent>, as install-bundle.sh
  # creates them on the host): the rendered nftables ruleset names them (meta skuid), and the
  # cross-agent tests run each gateway as its own user. nginx: the Amazon Linux 2023 package's
  # user, which the ruleset names too (a gateway's port admits it); Debian's nginx runs as www-data.
  for gateway_user in openclaw-ops openclaw-support nginx; do
    getent passwd "$gateway_user" >/dev/null ||
      $SUDO useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$gateway_user"
  done
}

if [ "${#missing[@]}" -eq 0 ]; then
  ensure_squid_user
  echo "install-host-tools: nginx, nft, ip, cloud-init, shellcheck, systemd-analyze, runuser, sha256sum, curl, chattr, squid and logrotate are already installed (users: squid, openclaw-ops, openclaw-support, nginx)"
  exit 0
fi

# nginx, squid, cloud-init and systemd ship services; a temporary policy-rc.d (honoured by
# invoke-rc.d) keeps the install from starting any of them on this machine.
POLICY=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  POLICY=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\n# temporary, from .ci/install-host-tools.sh: no service starts during the install\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 0755 "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi

echo "install-host-tools: installing ${missing[*]}"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
ensure_squid_user
