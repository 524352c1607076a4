#!/usr/bin/env bash
# fetch-secrets.sh: PLACEHOLDER of the secrets step of @@DEPLOYMENT@@.
# Rendered from host/scripts/fetch-secrets.sh (lib/host/runtime-files.ts); do not edit on the host.
#
# The secrets step (per-agent secrets in AWS Secrets Manager, boot-time retrieval) replaces
# this file, keeping its path and openclaw-secrets.service. Its contract (see that unit):
# write @@GATEWAY_TOKEN_FILE@@, @@SECRETS_DIR@@/provider-<provider> and
# @@SECRETS_DIR@@/channel-<platform> (the raw value; owner @@USER@@:@@USER@@, mode 0400,
# a regular file with one hard link) and /etc/nginx/openclaw/origin-verify.map.conf
# (root:root 0600), each atomically (temp file in the same folder, then rename), then
# exit 0. Until then the unit fails with this one line, and the gateway and nginx,
# which need what it writes, stay stopped: fail closed, and say why.
set -euo pipefail
echo "openclaw-secrets: FAILED SecretsStepMissing: the secrets step is not installed yet (@@LIBEXEC_DIR@@/fetch-secrets.sh is the placeholder); no gateway token at @@GATEWAY_TOKEN_FILE@@, so the gateway stays stopped" >&2
exit 1
