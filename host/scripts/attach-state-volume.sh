#!/usr/bin/env bash
# attach-state-volume.sh: puts the agent state volume of @@DEPLOYMENT@@ in place.
# Rendered from host/scripts/attach-state-volume.sh (lib/host/runtime-files.ts); do not edit on the host.
# Run by openclaw-state-volume.service (at every boot, and by install-bundle.sh at first boot)
# before the gateway and the spend meter, which require it.
#
# The state volume (OPENCLAW_STATE_VOLUME_ID, from the user data via host.env) is its own
# EBS volume: it outlives every host. CloudFormation creates a replacement host before it
# terminates the old one (in the clean-up phase of the update), so the volume is still
# attached to the old host when this one boots: an AWS::EC2::VolumeAttachment would fail
# with VolumeInUse. This host therefore attaches the volume to itself once it is free.
#
# Steps, in order; the first that fails ends the run:
#   1. Wait until the volume is available (or already attached here), attach it to this
#      instance (ec2:AttachVolume), wait until the attachment is "attached"
#        volume missing or unusable, attach refused, or still held elsewhere at the time-out
#                                                     -> StateVolumeAttach
#   2. Wait for its NVMe device, /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol<id>
#        not there at the time-out                    -> StateVolumeDevice
#   3. A file system: created (ext4, label @@STATE_VOLUME_LABEL@@) ONLY if the device holds
#      no signature at all (blkid -p); an ext4 one is kept as it is; anything else is refused
#                                                     -> StateVolumeFilesystem
#   4. Mount it at @@STATE_VOLUME_DIR@@ (nodev, nosuid), then its folders
#      gateway     (root 0755; <id>/ per gateway, its user 0700) on @@STATE_DIR@@
#      spend-meter (root 0700)  on @@SPEND_METER_STATE_DIR@@
#                                                     -> StateVolumeMount
# On failure: exactly one line on stderr,
#   openclaw-state-volume: FAILED <Step>: <what failed and what to check> [metric ...]
# a best-effort CloudWatch data point BootPreflightFailed{Step=<Step>} = 1 (and the
# undimensioned one the boot-preflight alarm watches), and exit status 1: the gateway and
# the spend meter, which require this step, do not start. On success one line on stdout.
# Safe to run again: a volume already attached here and mounted is left as it is.
#
# Environment (defaults in brackets; the unit sets the first three from host.env):
#   OPENCLAW_STATE_VOLUME_ID (required)  OPENCLAW_METRIC_NAMESPACE [@@METRIC_NAMESPACE@@]
#   AWS_REGION [@@REGION@@]  OPENCLAW_AWS_CLI [aws]  IMDS_ENDPOINT [@@IMDS_ENDPOINT@@]
#   STATE_VOLUME_ATTACH_TIMEOUT seconds [@@STATE_VOLUME_ATTACH_TIMEOUT@@]: how long to wait for the
#     old host to let go of the volume  STATE_VOLUME_POLL seconds [5]
#   STATE_VOLUME_DEVICE_TIMEOUT seconds [120]
#   STATE_VOLUME_ERROR_GRACE seconds [300]: how long describe/attach errors (throttling, an
#     instance role still propagating) are retried before they fail the step
# Tests only (unset on the host): OPENCLAW_INSTALL_ROOT prefixes every path (the device link
# included), OPENCLAW_GATEWAY_USER replaces @@USER@@.
set -uo pipefail

readonly TAG=openclaw-state-volume
NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-@@METRIC_NAMESPACE@@}"
REGION="${AWS_REGION:-@@REGION@@}"
AWS_CLI="${OPENCLAW_AWS_CLI:-aws}"
IMDS_ENDPOINT="${IMDS_ENDPOINT:-@@IMDS_ENDPOINT@@}"
IMDS_ENDPOINT="${IMDS_ENDPOINT%/}"
ATTACH_TIMEOUT="${STATE_VOLUME_ATTACH_TIMEOUT:-@@STATE_VOLUME_ATTACH_TIMEOUT@@}"
POLL="${STATE_VOLUME_POLL:-5}"
DEVICE_TIMEOUT="${STATE_VOLUME_DEVICE_TIMEOUT:-120}"
ERROR_GRACE="${STATE_VOLUME_ERROR_GRACE:-300}"
VOLUME_ID="${OPENCLAW_STATE_VOLUME_ID:-}"
readonly R="${OPENCLAW_INSTALL_ROOT:-}"
readonly MNT=$R@@STATE_VOLUME_DIR@@ STATE_DIR=$R@@STATE_DIR@@ METER_DIR=$R@@SPEND_METER_STATE_DIR@@
readonly LABEL=@@STATE_VOLUME_LABEL@@

publish_failure() {
  local rc
  timeout 15 "$AWS_CLI" cloudwatch put-metric-data --region "$REGION" --namespace "$NAMESPACE" \
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
  publish_failure "$1"
  printf '%s: FAILED %s: %s [%s]\n' "$TAG" "$1" "$2" "$METRIC" >&2
  exit 1
}

[[ "$VOLUME_ID" =~ ^vol-[0-9a-f]{8,17}$ ]] ||
  fail StateVolumeAttach "OPENCLAW_STATE_VOLUME_ID is ${VOLUME_ID:-unset}, not a volume ID (vol-...); check @@HOST_ENV_FILE@@ and the user data"
[[ -z "$R" || "$R" == /* ]] || fail StateVolumeMount "OPENCLAW_INSTALL_ROOT must be an absolute path"
for n in "$ATTACH_TIMEOUT" "$POLL" "$DEVICE_TIMEOUT" "$ERROR_GRACE"; do
  [[ "$n" =~ ^[0-9]+$ ]] || fail StateVolumeAttach "time-outs must be whole seconds, got $n"
done

# This instance's ID, from IMDSv2 (never through a proxy).
imds_token="$(curl --silent --fail --noproxy '*' --max-time 3 --retry 3 -X PUT \
  -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS_ENDPOINT/latest/api/token")" ||
  fail StateVolumeAttach "no IMDSv2 token from $IMDS_ENDPOINT (see openclaw-imds-preflight)"
SELF="$(curl --silent --fail --noproxy '*' --max-time 3 --retry 3 \
  -H "X-aws-ec2-metadata-token: $imds_token" "$IMDS_ENDPOINT/latest/meta-data/instance-id")" ||
  fail StateVolumeAttach "could not read this instance's ID from $IMDS_ENDPOINT"
[[ "$SELF" =~ ^i-[0-9a-f]{8,17}$ ]] || fail StateVolumeAttach "IMDS served an instance ID that is not one: $SELF"

# An AWS error is retried (throttling, a CLI time-out, an instance role whose policy is
# still propagating) until it has lasted ERROR_GRACE seconds; then it fails the step.
first_error=""
retry_or_fail() {
  [ -n "$first_error" ] || first_error=$SECONDS
  if [ $((SECONDS - first_error)) -ge "$ERROR_GRACE" ]; then fail StateVolumeAttach "$1"; fi
  printf '%s: retrying: %s\n' "$TAG" "$1" >&2
}

# describe: sets V_STATE, V_ATTACHED_TO and V_ATTACH_STATE (None when not attached); V_STATE
# is "error" after a failed call that is still within its grace.
describe() {
  local out rc
  out="$(timeout 30 "$AWS_CLI" ec2 describe-volumes --region "$REGION" --volume-ids "$VOLUME_ID" \
    --query 'Volumes[0].[State,Attachments[0].InstanceId,Attachments[0].State]' --output text 2>&1)"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    retry_or_fail "ec2 describe-volumes $VOLUME_ID failed ($AWS_CLI exit $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)); check the host role and that the volume exists"
    V_STATE=error V_ATTACHED_TO=None V_ATTACH_STATE=None
    return
  fi
  first_error=""
  read -r V_STATE V_ATTACHED_TO V_ATTACH_STATE <<<"$out"
}

# 1. Attach.
start=$SECONDS
attached=no
while :; do
  describe
  case "$V_STATE" in
    available)
      out="$(timeout 30 "$AWS_CLI" ec2 attach-volume --region "$REGION" --volume-id "$VOLUME_ID" \
        --instance-id "$SELF" --device /dev/sdf --output text 2>&1)"
      rc=$?
      if [ "$rc" -ne 0 ] && ! grep -qE 'VolumeInUse|IncorrectState' <<<"$out"; then
        retry_or_fail "ec2 attach-volume $VOLUME_ID to $SELF refused ($AWS_CLI exit $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)); check the host role's AttachStateVolume statement and the volume's KMS key"
      fi
      ;;
    in-use)
      if [ "$V_ATTACHED_TO" = "$SELF" ] && [ "$V_ATTACH_STATE" = attached ]; then
        attached=yes
        break
      fi
      ;;
    creating | error) ;;
    *) fail StateVolumeAttach "volume $VOLUME_ID is ${V_STATE:-missing}, not usable; restore it from a snapshot (README: Restoring the agent state)" ;;
  esac
  if [ $((SECONDS - start)) -ge "$ATTACH_TIMEOUT" ]; then
    if [ "$V_STATE" = in-use ] && [ "$V_ATTACHED_TO" != "$SELF" ]; then
      fail StateVolumeAttach "volume $VOLUME_ID still attached to $V_ATTACHED_TO ($V_ATTACH_STATE) after ${ATTACH_TIMEOUT}s; the old host was not terminated: check the stack update, terminate or stop $V_ATTACHED_TO, then restart openclaw-state-volume"
    fi
    fail StateVolumeAttach "volume $VOLUME_ID not attached to $SELF after ${ATTACH_TIMEOUT}s (state $V_STATE, attachment ${V_ATTACH_STATE:-none})"
  fi
  sleep "$POLL"
done
[ "$attached" = yes ] || fail StateVolumeAttach "volume $VOLUME_ID not attached"

# 2. The device.
DEVICE_LINK="$R/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${VOLUME_ID//-/}"
start=$SECONDS
until [ -b "$(readlink -f "$DEVICE_LINK")" ]; do
  if [ $((SECONDS - start)) -ge "$DEVICE_TIMEOUT" ]; then
    fail StateVolumeDevice "volume $VOLUME_ID is attached but $DEVICE_LINK did not appear within ${DEVICE_TIMEOUT}s (udev, nvme driver?)"
  fi
  sleep 1
done
DEVICE="$(readlink -f "$DEVICE_LINK")"

# 3. The file system: created only on a blank device, never over anything.
fs_type="$(blkid -p -o value -s TYPE "$DEVICE" 2>/dev/null)"
rc=$?
if [ "$rc" -eq 2 ] && [ -z "$fs_type" ]; then
  # blkid -p exits 2 when it finds no signature at all: a new, empty volume.
  mkfs.ext4 -q -L "$LABEL" "$DEVICE" >/dev/null 2>&1 || fail StateVolumeFilesystem "mkfs.ext4 on the blank volume $VOLUME_ID ($DEVICE) failed"
  created=", new ext4 file system"
elif [ "$rc" -eq 0 ] && [ "$fs_type" = ext4 ]; then
  created=""
elif [ "$rc" -eq 0 ]; then
  fail StateVolumeFilesystem "volume $VOLUME_ID ($DEVICE) holds ${fs_type:-a signature without a type}, not ext4: refusing to format or mount it"
else
  fail StateVolumeFilesystem "blkid could not read volume $VOLUME_ID ($DEVICE): exit $rc"
fi

# 4. Mounts: the volume, then its two folders on the state paths.
mounted_from() { findmnt -n -o SOURCE --mountpoint "$1" 2>/dev/null | head -n 1; }
mkdir -p "$MNT" || fail StateVolumeMount "cannot create $MNT"
if mountpoint -q "$MNT"; then
  [ "$(readlink -f "$(mounted_from "$MNT")")" = "$DEVICE" ] ||
    fail StateVolumeMount "$MNT is already a mount of $(mounted_from "$MNT"), not of volume $VOLUME_ID ($DEVICE)"
else
  out="$(mount -t ext4 -o nodev,nosuid "$DEVICE" "$MNT" 2>&1)" || fail StateVolumeMount "mount $DEVICE on $MNT failed: $out"
fi
# A grown volume (instance.stateVolume.sizeGiB raised: EBS resizes it in place) gets its
# space here: ext4 grows online; on a file system that fills its device this changes nothing.
out="$(resize2fs "$DEVICE" 2>&1)" || fail StateVolumeFilesystem "resize2fs $DEVICE (volume $VOLUME_ID) failed: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
if ! { chown root:root "$MNT" && chmod 0755 "$MNT"; }; then fail StateVolumeMount "cannot set root 0755 on $MNT"; fi
# The gateways' folder: root 0755, each gateway's state in its own <id>/ (its user 0700,
# prepare-state.sh). An earlier version's single-gateway folder (the gateway user's 0700) becomes
# root 0755 too; the state in it is kept in place, unread.
install -d -o root -g root -m 0755 "$MNT/gateway" || fail StateVolumeMount "cannot create $MNT/gateway"
install -d -o root -g root -m 0700 "$MNT/spend-meter" || fail StateVolumeMount "cannot create $MNT/spend-meter"
bind() { # SOURCE TARGET
  mkdir -p "$2" || fail StateVolumeMount "cannot create $2"
  if mountpoint -q "$2"; then
    # A bind mount shows the device as its source; the folder it shows must be ours.
    [ "$(stat -c '%d:%i' "$1")" = "$(stat -c '%d:%i' "$2")" ] || fail StateVolumeMount "$2 is already a mount of something other than $1"
    return
  fi
  [ -z "$(ls -A "$2")" ] || fail StateVolumeMount "$2 is not empty before the state volume is mounted on it (state written to the root volume?); move it away and restart openclaw-state-volume"
  out="$(mount --bind "$1" "$2" 2>&1)" || fail StateVolumeMount "bind mount $1 on $2 failed: $out"
}
bind "$MNT/gateway" "$STATE_DIR"
bind "$MNT/spend-meter" "$METER_DIR"

printf '%s: OK: volume %s attached to %s as %s%s, mounted at %s (%s, %s)\n' \
  "$TAG" "$VOLUME_ID" "$SELF" "$DEVICE" "$created" "$MNT" "$STATE_DIR" "$METER_DIR"
exit 0
