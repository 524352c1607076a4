#!/usr/bin/env bash
# start-egress-proxy.sh: the egress proxy of @@DEPLOYMENT@@ and the agents that use it.
# Rendered from host/scripts/start-egress-proxy.sh (lib/host/runtime-files.ts); do not edit on the host.
# Usage: start-egress-proxy.sh <unpacked bundle folder>. Run by install-bundle.sh (root) BEFORE
# it loads the firewall, which lets only the proxy's user (@@EGRESS_PROXY_USER@@) open port 443.
#
# 1. Checks the bundle's @@EGRESS_PROXY_BUNDLE@@ with `squid -k parse` (a refused file never
#    replaces a working one), installs it at @@EGRESS_PROXY_CONFIG_FILE@@ (root:@@EGRESS_PROXY_USER@@ 0640),
#    enables @@EGRESS_PROXY_UNIT@@ and starts it (restarts it on a changed file).
# 2. Installs the proxy settings of the SSM agent (a drop-in of @@SSM_AGENT_UNIT@@) and of the
#    CloudWatch agent (@@CLOUDWATCH_AGENT_PROXY_FILE@@) and restarts a running agent when they
#    changed. The SSM agent runs from boot, before cloud-init's runcmd, so on the first boot it
#    restarts once (no session can be open yet: the host has not finished booting); --no-block,
#    and never when nothing changed, so a run again from an SSM session is not cut off.
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written.
set -euo pipefail
umask 022

readonly R="${OPENCLAW_INSTALL_ROOT:-}" B="${1:?usage: start-egress-proxy.sh <bundle folder>}"
readonly SQUID_CONF=$R@@EGRESS_PROXY_CONFIG_FILE@@ CW_PROXY=$R@@CLOUDWATCH_AGENT_PROXY_FILE@@
readonly SSM_PROXY=$R/etc/systemd/system/@@SSM_AGENT_PROXY_BUNDLE_NAME@@

id -u @@EGRESS_PROXY_USER@@ >/dev/null 2>&1 || { echo "system user @@EGRESS_PROXY_USER@@ missing (cloud-init packages step: squid?)" >&2; exit 1; }
# squid -k parse reports every line it reads on stderr: shown only when it refuses the file.
parse="$(squid -k parse -f "$B/@@EGRESS_PROXY_BUNDLE@@" 2>&1)" || { printf '%s\n' "$parse" >&2; echo "squid -k parse rejects the bundle's @@EGRESS_PROXY_BUNDLE@@" >&2; exit 1; }
proxy_start=start
cmp -s "$B/@@EGRESS_PROXY_BUNDLE@@" "$SQUID_CONF" || proxy_start=restart
install -D -o root -g @@EGRESS_PROXY_USER@@ -m 0640 "$B/@@EGRESS_PROXY_BUNDLE@@" "$SQUID_CONF"

ssm_changed=no cw_changed=no
cmp -s "$B/@@SSM_AGENT_PROXY_BUNDLE@@" "$SSM_PROXY" || ssm_changed=yes
cmp -s "$B/@@CLOUDWATCH_AGENT_PROXY_BUNDLE@@" "$CW_PROXY" || cw_changed=yes
install -D -o root -g root -m 0644 "$B/@@SSM_AGENT_PROXY_BUNDLE@@" "$SSM_PROXY"
install -D -o root -g root -m 0644 "$B/@@CLOUDWATCH_AGENT_PROXY_BUNDLE@@" "$CW_PROXY"

systemctl daemon-reload
systemctl enable @@EGRESS_PROXY_UNIT@@
systemctl "$proxy_start" @@EGRESS_PROXY_UNIT@@ || { echo "@@EGRESS_PROXY_UNIT@@ does not start: journalctl -u @@EGRESS_PROXY_UNIT@@" >&2; exit 1; }
if [ "$ssm_changed" = yes ]; then systemctl try-restart --no-block @@SSM_AGENT_UNIT@@; fi
if [ "$cw_changed" = yes ]; then systemctl try-restart @@CLOUDWATCH_AGENT_UNIT@@; fi
echo "egress proxy: @@EGRESS_PROXY_UNIT@@ ${proxy_start}ed, @@EGRESS_PROXY_URL@@"
