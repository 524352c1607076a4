#!/usr/bin/env bash
# start-egress-proxy.sh: the egress proxy of @@DEPLOYMENT@@ and the agents that use it.
# Rendered from host/scripts/start-egress-proxy.sh (lib/host/runtime-files.ts); do not edit on the host.
# Usage: start-egress-proxy.sh <unpacked bundle folder>. Run by install-bundle.sh (root) BEFORE
# it loads the firewall, which lets only the proxy's user (@@EGRESS_PROXY_USER@@) open port 443.
#
# 1. Checks the bundle's @@EGRESS_PROXY_BUNDLE@@ with `squid -k parse` (a refused file never
#    replaces a working one), installs it at @@EGRESS_PROXY_CONFIG_FILE@@ (root:@@EGRESS_PROXY_USER@@ 0640)
#    and the unit's restart drop-in, enables @@EGRESS_PROXY_UNIT@@ and starts it; on a changed file a
#    running squid reloads it (reconfigure: open tunnels, an SSM session among them, stay up).
# 2. Installs the proxy settings of the SSM agent (a drop-in of @@SSM_AGENT_UNIT@@) and of the
#    CloudWatch agent (@@CLOUDWATCH_AGENT_PROXY_FILE@@) and restarts a running agent when they
#    changed. The SSM agent runs from boot, before cloud-init's runcmd, so on the first boot it
#    restarts once (no session can be open yet: the host has not finished booting); --no-block,
#    and never when nothing changed, so a run again from an SSM session is not cut off.
# 3. Points what runs outside these units at the proxy too, so that an operator's `sudo dnf` or
#    `aws` in a break-glass session is not refused by the firewall (and counted as blocked
#    egress): dnf (proxy= in [main] of /etc/dnf/dnf.conf), login shells (/etc/profile.d) and sudo
#    (env_keep of the proxy variables, checked with visudo).
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path written.
set -euo pipefail
umask 022

readonly R="${OPENCLAW_INSTALL_ROOT:-}" B="${1:?usage: start-egress-proxy.sh <bundle folder>}"
readonly SQUID_CONF=$R@@EGRESS_PROXY_CONFIG_FILE@@ CW_PROXY=$R@@CLOUDWATCH_AGENT_PROXY_FILE@@
readonly SSM_PROXY=$R/etc/systemd/system/@@SSM_AGENT_PROXY_BUNDLE_NAME@@
readonly SQUID_RESTART=$R/etc/systemd/system/@@EGRESS_PROXY_RESTART_BUNDLE_NAME@@
readonly DNF_CONF=$R/etc/dnf/dnf.conf PROFILE=$R/etc/profile.d/openclaw-proxy.sh SUDOERS=$R/etc/sudoers.d/openclaw-proxy
readonly PROXY_VARS="http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY"

id -u @@EGRESS_PROXY_USER@@ >/dev/null 2>&1 || { echo "system user @@EGRESS_PROXY_USER@@ missing (cloud-init packages step: squid?)" >&2; exit 1; }
# squid -k parse reports every line it reads on stderr: shown only when it refuses the file.
parse="$(squid -k parse -f "$B/@@EGRESS_PROXY_BUNDLE@@" 2>&1)" || { printf '%s\n' "$parse" >&2; echo "squid -k parse rejects the bundle's @@EGRESS_PROXY_BUNDLE@@" >&2; exit 1; }
proxy_start=start
cmp -s "$B/@@EGRESS_PROXY_BUNDLE@@" "$SQUID_CONF" || proxy_start=reload-or-restart
install -D -o root -g @@EGRESS_PROXY_USER@@ -m 0640 "$B/@@EGRESS_PROXY_BUNDLE@@" "$SQUID_CONF"
install -D -o root -g root -m 0644 "$B/@@EGRESS_PROXY_RESTART_BUNDLE@@" "$SQUID_RESTART"

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

# dnf: proxy= right under [main] (replacing an earlier one); a missing file gets just that section.
if [ ! -f "$DNF_CONF" ]; then
  install -D -o root -g root -m 0644 /dev/null "$DNF_CONF"
  printf '[main]\n' >"$DNF_CONF"
fi
sed -i -e '/^proxy=/d' -e '/^\[main\]$/a proxy=@@EGRESS_PROXY_URL@@' "$DNF_CONF"
grep -qx 'proxy=@@EGRESS_PROXY_URL@@' "$DNF_CONF" || { echo "$DNF_CONF has no [main] section" >&2; exit 1; }
install -d -o root -g root -m 0755 "$(dirname "$PROFILE")" "$(dirname "$SUDOERS")"
{
  echo "# The egress proxy of @@DEPLOYMENT@@ (start-egress-proxy.sh): the firewall lets only it out on 443."
  for v in https_proxy http_proxy HTTPS_PROXY HTTP_PROXY; do echo "export $v=@@EGRESS_PROXY_URL@@"; done
  for v in no_proxy NO_PROXY; do echo "export $v=@@EGRESS_NO_PROXY@@"; done
} >"$PROFILE.new"
chmod 0644 "$PROFILE.new" && mv -f "$PROFILE.new" "$PROFILE"
printf '# The egress proxy of @@DEPLOYMENT@@ (start-egress-proxy.sh): sudo keeps it.\nDefaults env_keep += "%s"\n' "$PROXY_VARS" >"$SUDOERS.new"
chmod 0440 "$SUDOERS.new"
if command -v visudo >/dev/null; then visudo -cqf "$SUDOERS.new" || { rm -f "$SUDOERS.new"; echo "visudo rejects the proxy's sudoers drop-in" >&2; exit 1; }; fi
mv -f "$SUDOERS.new" "$SUDOERS"
echo "egress proxy: @@EGRESS_PROXY_UNIT@@ $proxy_start done, @@EGRESS_PROXY_URL@@"
