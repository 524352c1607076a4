#!/usr/bin/env bash
# nat-setup.sh: first-boot setup of the NAT instance (lib/constructs/gateway-vpc.ts), its EC2 user data.
# Replaces the user data of aws-cdk-lib's NatInstanceProviderV2, which runs one unguarded
# `yum install iptables-services` (aws-cdk issue 36717: it races dnf on AL2023, and dnf can be
# OOM-killed on a 512 MiB t4g.nano) and then carries on silently without NAT.
#
# Steps, each reported; the first that fails prints `nat-setup: FAILED <step>: <why>` to stderr and
# the console (EC2 get-console-output) and exits 1, so cloud-init reports an error:
#   forwarding  net.ipv4.ip_forward=1, now and at every boot (/etc/sysctl.d)
#   nftables    nft is used as the AMI ships it; only if it is missing is the nftables package
#               installed, with a swap file first on a host under 1 GiB of memory (dnf's peak),
#               NAT_SETUP_ATTEMPTS tries and exponential backoff (NAT_SETUP_BACKOFF_S, doubling)
#   masquerade  traffic leaving by the default route's interface is masqueraded (table ip nat_instance),
#               loaded now and by nftables.service at every boot
#   verify      forwarding is on and the masquerade rule is loaded
#
# Environment, for tests (defaults in brackets): NAT_SETUP_ROOT [] (prefix of every file written),
# NAT_SETUP_ATTEMPTS [5], NAT_SETUP_BACKOFF_S [5], NAT_SETUP_CONSOLE [/dev/console],
# NAT_SETUP_MEMINFO [/proc/meminfo], NAT_SETUP_SWAPS [/proc/swaps].
set -uo pipefail

readonly TAG=nat-setup
ROOT="${NAT_SETUP_ROOT:-}"
ATTEMPTS="${NAT_SETUP_ATTEMPTS:-5}"
BACKOFF_S="${NAT_SETUP_BACKOFF_S:-5}"
CONSOLE="${NAT_SETUP_CONSOLE:-/dev/console}"
MEMINFO="${NAT_SETUP_MEMINFO:-/proc/meminfo}"
SWAPS="${NAT_SETUP_SWAPS:-/proc/swaps}"
SYSCTL_FILE="$ROOT/etc/sysctl.d/90-nat-instance.conf"
NFT_FILE="$ROOT/etc/sysconfig/nftables.conf"
SWAP_FILE="$ROOT/var/swap-nat-setup"

say() {
  printf '%s: %s\n' "$TAG" "$*"
  if [ -w "$CONSOLE" ]; then printf '%s: %s\n' "$TAG" "$*" >"$CONSOLE" 2>/dev/null || true; fi
}
fail() { # STEP WHY
  printf '%s: FAILED %s: %s\n' "$TAG" "$1" "$2" >&2
  if [ -w "$CONSOLE" ]; then printf '%s: FAILED %s: %s\n' "$TAG" "$1" "$2" >"$CONSOLE" 2>/dev/null || true; fi
  exit 1
}

# forwarding
mkdir -p "$(dirname "$SYSCTL_FILE")" || fail forwarding "cannot create $(dirname "$SYSCTL_FILE")"
printf 'net.ipv4.ip_forward = 1\n' >"$SYSCTL_FILE" || fail forwarding "cannot write $SYSCTL_FILE"
sysctl -q -w net.ipv4.ip_forward=1 >/dev/null || fail forwarding "sysctl -w net.ipv4.ip_forward=1 failed"
say "forwarding on ($SYSCTL_FILE)"

# nftables
swap_on=0
add_swap() {
  local mem_kib
  mem_kib="$(awk '/^MemTotal:/ {print $2}' "$MEMINFO")"
  if [ "${mem_kib:-0}" -ge 1048576 ] || [ "$(awk 'NR > 1' "$SWAPS" | wc -l)" -gt 0 ]; then return 0; fi
  if ! { mkdir -p "$(dirname "$SWAP_FILE")" &&
    dd if=/dev/zero of="$SWAP_FILE" bs=1M count=512 status=none &&
    chmod 600 "$SWAP_FILE" && mkswap "$SWAP_FILE" >/dev/null && swapon "$SWAP_FILE"; }; then
    fail nftables "cannot add a 512 MiB swap file at $SWAP_FILE before dnf (${mem_kib} KiB of memory)"
  fi
  swap_on=1
  say "512 MiB swap at $SWAP_FILE while dnf runs (${mem_kib} KiB of memory)"
}
if command -v nft >/dev/null 2>&1; then
  say "nft is installed; no package needed"
else
  add_swap
  attempt=1
  delay="$BACKOFF_S"
  until dnf -y -q --setopt=install_weak_deps=False install nftables; do
    rc=$?
    [ "$attempt" -lt "$ATTEMPTS" ] || fail nftables "dnf install nftables failed $ATTEMPTS times (last exit $rc); see /var/log/dnf.log"
    say "dnf install nftables failed (exit $rc, attempt $attempt of $ATTEMPTS); retrying in ${delay} s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
  command -v nft >/dev/null 2>&1 || fail nftables "dnf reported success but nft is not on PATH"
  say "nftables installed (attempt $attempt)"
  if [ "$swap_on" -eq 1 ]; then swapoff "$SWAP_FILE" && rm -f "$SWAP_FILE"; fi
fi

# masquerade
iface="$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
[ -n "$iface" ] || fail masquerade "no IPv4 default route (ip -4 route show default is empty)"
mkdir -p "$(dirname "$NFT_FILE")" || fail masquerade "cannot create $(dirname "$NFT_FILE")"
cat >"$NFT_FILE" <<NFT || fail masquerade "cannot write $NFT_FILE"
# Written by nat-setup.sh (NAT instance user data): masquerade what leaves by $iface.
table ip nat_instance
delete table ip nat_instance
table ip nat_instance {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "$iface" masquerade
    }
}
NFT
nft -f "$NFT_FILE" || fail masquerade "nft -f $NFT_FILE failed"
if command -v systemctl >/dev/null 2>&1; then
  systemctl enable nftables.service >/dev/null 2>&1 || fail masquerade "systemctl enable nftables.service failed (the rule would not survive a reboot)"
fi
say "masquerading what leaves by $iface ($NFT_FILE)"

# verify
[ "$(sysctl -n net.ipv4.ip_forward)" = 1 ] || fail verify "net.ipv4.ip_forward is not 1"
rules="$(nft list table ip nat_instance 2>&1)" || fail verify "nft list table ip nat_instance failed: $rules"
case "$rules" in
  *"oifname \"$iface\" masquerade"*) ;;
  *) fail verify "the masquerade rule on $iface is not loaded" ;;
esac
say "OK: NAT ready (forwarding on, masquerade on $iface)"
