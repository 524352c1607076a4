#!/usr/bin/env bash
# fetch-secrets.sh: the boot-time secrets step of @@DEPLOYMENT@@ (openclaw-secrets.service).
# Rendered from host/scripts/fetch-secrets.sh (lib/host/runtime-files.ts); do not edit on the host.
#
# Runs the retrieval program (@@LIBEXEC_DIR@@/fetch-secrets.js, bundled from
# host/fetch-secrets/ of the blueprint) with the pinned Node 24. Through the IMDSv2
# credentials of the instance role it reads every secret of @@SECRETS_MANIFEST@@ from
# AWS Secrets Manager and, only when all succeeded, writes
#   @@SECRETS_DIR@@/<gateway>/gateway-token, @@SECRETS_DIR@@/<gateway>/agent-<agent>.json
#        each owned by its gateway's user (openclaw-<gateway>, from the manifest), 0400,
#        in a folder of that user, 0700
#   @@ORIGIN_VERIFY_MAP@@   root:root 0600
# each atomically. The program looks each gateway user up itself: a missing one fails as
# NoGatewayUser (exit 2) before any secret is read. A failure is one line naming the reason and the secret
#   openclaw-secrets: FAILED <Reason>: <secret>: <probable cause> [metric ...]
# (exit 10-19, metric @@SECRET_METRIC@@{Reason} in @@METRIC_NAMESPACE@@), and the gateway
# and nginx, which require this unit, stay stopped: never half-configured.
#
# Overrides (tests only): OPENCLAW_NODE [@@NODE@@], OPENCLAW_SECRETS_PROGRAM
# [@@LIBEXEC_DIR@@/fetch-secrets.js], OPENCLAW_SECRETS_MANIFEST [@@SECRETS_MANIFEST@@].
set -euo pipefail
NODE="${OPENCLAW_NODE:-@@NODE@@}"
PROGRAM="${OPENCLAW_SECRETS_PROGRAM:-@@LIBEXEC_DIR@@/fetch-secrets.js}"
MANIFEST="${OPENCLAW_SECRETS_MANIFEST:-@@SECRETS_MANIFEST@@}"
exec "$NODE" "$PROGRAM" --manifest "$MANIFEST" "$@"
