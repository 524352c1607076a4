#!/usr/bin/env bash
# imds-preflight.sh: boot preflight of the OpenClaw gateway host (@@DEPLOYMENT@@).
# Rendered from host/scripts/imds-preflight.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by openclaw-imds-preflight.service before anything that needs AWS credentials.
#
# Steps, in order; the first that fails ends the run:
#   1. PUT /latest/api/token (IMDSv2 token, TTL header, 2 s time-out)
#        no answer            -> ImdsUnreachable
#        answered, no token   -> ImdsTokenRefused
#   2. GET /latest/meta-data/iam/security-credentials/ (with the token)
#        404 or empty         -> NoInstanceRole      (401 -> ImdsTokenRefused)
#   3. GET /latest/meta-data/iam/security-credentials/<role>
#        no AccessKeyId       -> CredentialsMissing
# On failure: exactly one line on stderr,
#   openclaw-preflight: FAILED <Step>: <what failed and what to check> [metric ...]
# a best-effort CloudWatch data point BootPreflightFailed{Step=<Step>} = 1 in the
# namespace OPENCLAW_METRIC_NAMESPACE, and exit status 1 (the gateway unit requires this
# one, so it does not start). On success one line on stdout and exit status 0.
# Credential values are never printed.
#
# Environment (defaults in brackets; the unit sets the first two from host.env):
#   OPENCLAW_METRIC_NAMESPACE [@@METRIC_NAMESPACE@@]   AWS_REGION [@@REGION@@]
#   IMDS_ENDPOINT [http://169.254.169.254]  IMDS_TIMEOUT seconds per request [2]
#   IMDS_ATTEMPTS [3] and IMDS_RETRY_DELAY seconds [2]: retries while IMDS does not answer
#   or answers 5xx (the network may still be coming up at boot); 4xx is final.
#   OPENCLAW_AWS_CLI [aws]  AWS_CLI_TIMEOUT seconds for the metric call [15]
set -uo pipefail

readonly TAG=openclaw-preflight
IMDS_ENDPOINT="${IMDS_ENDPOINT:-http://169.254.169.254}"
IMDS_ENDPOINT="${IMDS_ENDPOINT%/}"
IMDS_TIMEOUT="${IMDS_TIMEOUT:-2}"
IMDS_ATTEMPTS="${IMDS_ATTEMPTS:-3}"
IMDS_RETRY_DELAY="${IMDS_RETRY_DELAY:-2}"
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
REGION="${AWS_REGION:-@@REGION@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
AWS_CLI_TIMEOUT="${AWS_CLI_TIMEOUT:-15}"
readonly TOKEN_PATH=/latest/api/token
readonly ROLES_PATH=/latest/meta-data/iam/security-credentials/

BODY="$(mktemp)" || { echo "$TAG: FAILED Internal: cannot create a temporary file" >&2; exit 1; }
trap 'rm -f "$BODY"' EXIT

# Publishes BootPreflightFailed = 1 twice in one call, with {Step=$1} (what failed) and
# without dimensions (the one series the boot-preflight-failed alarm watches); never fails, prints nothing, and sets
# METRIC to a note for the log line. The CLI takes the instance credentials from the
# same metadata endpoint (which may be what is broken: hence best-effort, bounded).
publish_failure() {
  local rc
  AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS_ENDPOINT" timeout "$AWS_CLI_TIMEOUT" \
    "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" \
    --metric-data "MetricName=BootPreflightFailed,Dimensions=[{Name=Step,Value=$1}],Value=1,Unit=Count" \
    "MetricName=BootPreflightFailed,Value=1,Unit=Count" \
    --cli-connect-timeout 3 --cli-read-timeout 5 >/dev/null 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then
    METRIC="metric BootPreflightFailed{Step=$1} published to $NAMESPACE"
  else
    METRIC="metric BootPreflightFailed{Step=$1} not published: $AWS_CLI exit $rc"
  fi
}

fail() {
  local step=$1 detail=$2
  publish_failure "$step"
  printf '%s: FAILED %s: %s [%s]\n' "$TAG" "$step" "$detail" "$METRIC" >&2
  exit 1
}

# request METHOD PATH [curl args...]: sets HTTP (3 digits, 000 when nothing answered),
# CURL_RC and CURL_ERR; the body goes to $BODY. Never goes through a proxy: IMDS refuses
# a token request that carries X-Forwarded-For.
request() {
  local method=$1 path=$2 out
  shift 2
  out="$(curl --silent --noproxy '*' --connect-timeout "$IMDS_TIMEOUT" --max-time "$IMDS_TIMEOUT" \
    -X "$method" "$@" -o "$BODY" -w '%{http_code} %{errormsg}' "$IMDS_ENDPOINT$path")"
  CURL_RC=$?
  HTTP="${out%% *}"
  CURL_ERR="${out#* }"
  [ -n "$HTTP" ] || HTTP=000
}

# request_retrying METHOD PATH [curl args...]: like request, repeated while nothing
# answers or the answer is 5xx, at most IMDS_ATTEMPTS times.
request_retrying() {
  local attempt=1
  while :; do
    request "$@"
    if [ "$CURL_RC" -eq 0 ] && [ "${HTTP:0:1}" != 5 ]; then return; fi
    [ "$attempt" -lt "$IMDS_ATTEMPTS" ] || return
    attempt=$((attempt + 1))
    sleep "$IMDS_RETRY_DELAY"
  done
}

unreachable() { # PATH
  local why="curl exit $CURL_RC"
  [ -n "$CURL_ERR" ] && why="$why, $CURL_ERR"
  [ "$CURL_RC" -eq 0 ] && why="HTTP $HTTP"
  local tries="$IMDS_ATTEMPTS attempts"
  [ "$IMDS_ATTEMPTS" -eq 1 ] && tries="1 attempt"
  fail ImdsUnreachable "no usable answer from the instance metadata service at $IMDS_ENDPOINT ($1: $why, after $tries); check the instance metadata options (HttpEndpoint enabled, hop limit) and the host firewall"
}

# 1. IMDSv2 token.
request_retrying PUT "$TOKEN_PATH" -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600'
if [ "$CURL_RC" -ne 0 ] || [ "${HTTP:0:1}" = 5 ]; then unreachable "PUT $TOKEN_PATH"; fi
TOKEN="$(cat "$BODY")"
if [ "$HTTP" != 200 ]; then
  fail ImdsTokenRefused "the instance metadata service refused an IMDSv2 token (PUT $TOKEN_PATH answered HTTP $HTTP); check the instance metadata options and that no proxy sits in the path"
fi
if [ -z "$TOKEN" ]; then
  fail ImdsTokenRefused "the instance metadata service answered PUT $TOKEN_PATH with HTTP 200 but an empty token"
fi

# 2. The instance role.
request_retrying GET "$ROLES_PATH" -H "X-aws-ec2-metadata-token: $TOKEN"
if [ "$CURL_RC" -ne 0 ] || [ "${HTTP:0:1}" = 5 ]; then unreachable "GET $ROLES_PATH"; fi
case "$HTTP" in
  200) ;;
  401) fail ImdsTokenRefused "the IMDSv2 token was rejected (GET $ROLES_PATH answered HTTP 401)" ;;
  404) fail NoInstanceRole "no IAM role is attached to the instance (GET $ROLES_PATH answered HTTP 404); attach the gateway's instance profile" ;;
  *) fail NoInstanceRole "could not read the instance role (GET $ROLES_PATH answered HTTP $HTTP)" ;;
esac
ROLE="$(head -n 1 "$BODY" | tr -d '[:space:]')"
if [ -z "$ROLE" ]; then
  fail NoInstanceRole "no IAM role is attached to the instance (GET $ROLES_PATH answered an empty list); attach the gateway's instance profile"
fi
if ! [[ "$ROLE" =~ ^[A-Za-z0-9+=,.@_-]{1,128}$ ]]; then
  fail NoInstanceRole "the instance role name served by IMDS is not a valid IAM role name"
fi

# 3. The role's credentials (only whether they are there; values never printed).
request_retrying GET "$ROLES_PATH$ROLE" -H "X-aws-ec2-metadata-token: $TOKEN"
if [ "$CURL_RC" -ne 0 ] || [ "${HTTP:0:1}" = 5 ]; then unreachable "GET $ROLES_PATH$ROLE"; fi
if [ "$HTTP" = 401 ]; then
  fail ImdsTokenRefused "the IMDSv2 token was rejected (GET $ROLES_PATH$ROLE answered HTTP 401)"
fi
if [ "$HTTP" != 200 ]; then
  fail CredentialsMissing "role $ROLE is attached but IMDS serves no credentials for it (GET $ROLES_PATH$ROLE answered HTTP $HTTP); check the instance profile and its role's trust policy"
fi
CODE="$(grep -o '"Code"[[:space:]]*:[[:space:]]*"[^"]*"' "$BODY" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')"
if ! grep -q '"AccessKeyId"[[:space:]]*:[[:space:]]*"[^"][^"]*"' "$BODY"; then
  fail CredentialsMissing "role $ROLE is attached but its credentials document has no AccessKeyId (Code: ${CODE:-absent}); check the instance profile and its role's trust policy"
fi
if [ -n "$CODE" ] && [ "$CODE" != Success ]; then
  fail CredentialsMissing "role $ROLE: IMDS reports the credentials with Code $CODE instead of Success"
fi
EXPIRES="$(grep -o '"Expiration"[[:space:]]*:[[:space:]]*"[^"]*"' "$BODY" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')"

printf '%s: OK: IMDSv2 token obtained, role %s attached, credentials served (expire %s)\n' "$TAG" "$ROLE" "${EXPIRES:-unknown}"
exit 0
