import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exampleConfig } from '../host/support/host-tools';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { metricNamespace } from '../../lib/host/template-values';
import { STATE_VOLUME_LABEL } from '../../lib/host/unit-names';
import { CONFIG_DIR } from '../support/config-fixture';
import { readCalls, requireRootForRuntime, requireRuntimeTool, runAsync, stubImds, tempDir, writeExecutable } from './support/runtime-tools';

// The rendered attach-state-volume.sh, run for real as root: the "volume" is a loop device
// with a real file system (mkfs.ext4, blkid, mount, bind mounts under a temporary root,
// OPENCLAW_INSTALL_ROOT), the instance ID comes from a stand-in IMDSv2 on loopback, and a
// stand-in `aws` simulates EC2: the volume stays attached to the old host for a number of
// describe-volumes calls (CloudFormation terminates the old host only in its clean-up phase,
// after the new one is created), then is available; attach-volume makes it "attaching", then
// "attached", and only then does its NVMe link appear (as udev would). The fake answers only
// for the one volume it models: any other ID is InvalidVolume.NotFound, as EC2 answers.

const config = exampleConfig('prod');
const NAMESPACE = metricNamespace(config);
const VOLUME = 'vol-0a1b2c3d4e5f60718';
const OLD_HOST = 'i-0000000000000aaaa';
/** An earlier (single-gateway) version's gateway user, who owned the volume's gateway folder 0700. */
const OLD_GATEWAY_USER = 'daemon';
const TOKEN = 'AQAEAtest-imds-token==';

let dir: string;
let script: string;
let image: string;
let loop: string;
let uid: number;

/** The stand-in `aws`: EC2 volume state in <world>/volume (state instance attach-state), calls in <world>/aws-calls. */
function fakeEc2(world: string): string {
  return writeExecutable(
    path.join(world, 'bin', 'aws'),
    [
      '#!/usr/bin/env bash',
      `W=${JSON.stringify(world)}`,
      `{ printf '%s' "$#"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\n'; } >>"$W/aws-calls"`,
      'arg() { local k=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$k" ] && { echo "$2"; return; }; shift; done; }',
      'case "$1 $2" in',
      '  "cloudwatch put-metric-data") exit 0 ;;',
      '  "ec2 describe-volumes")',
      `    [ "$(arg --volume-ids "$@")" = "$(cat "$W/volume-id")" ] || { echo "An error occurred (InvalidVolume.NotFound) when calling the DescribeVolumes operation: The volume '$(arg --volume-ids "$@")' does not exist." >&2; exit 254; }`,
      '    held=$(cat "$W/held-for")',
      `    if [ "$held" -gt 0 ]; then echo $((held - 1)) >"$W/held-for"; printf 'in-use\\t%s\\tattached\\n' ${OLD_HOST}; exit 0; fi`,
      '    read -r state inst att <"$W/volume"',
      '    printf "%s\\t%s\\t%s\\n" "$state" "$inst" "$att"',
      '    # An attachment completes one describe later; the device shows up once it has.',
      '    if [ "$att" = attaching ]; then echo "in-use $inst attached" >"$W/volume"; [ -f "$W/no-device" ] || ln -sfn "$(cat "$W/device")" "$(cat "$W/device-link")"; fi',
      '    exit 0 ;;',
      '  "ec2 attach-volume")',
      '    if [ -f "$W/attach-error" ]; then cat "$W/attach-error" >&2; exit 254; fi',
      '    read -r state _ _ <"$W/volume"',
      `    if [ "$state" != available ] || [ "$(cat "$W/held-for")" -gt 0 ]; then echo "An error occurred (VolumeInUse) when calling the AttachVolume operation: ${VOLUME} is already attached to an instance" >&2; exit 254; fi`,
      '    echo "in-use $(arg --instance-id "$@") attaching" >"$W/volume"',
      '    printf "attaching\\n"; exit 0 ;;',
      'esac',
      'echo "fake aws: unexpected call $*" >&2; exit 2',
      '',
    ].join('\n'),
  );
}

interface World {
  readonly world: string;
  readonly root: string;
  readonly calls: () => string[][];
}

/** A new host: its own root, the volume held by the old host for `heldFor` describe calls. */
function newHost(heldFor: number): World {
  const world = fs.mkdtempSync(path.join(dir, 'host-'));
  const root = path.join(world, 'root');
  fs.mkdirSync(path.join(root, 'dev/disk/by-id'), { recursive: true });
  fs.writeFileSync(path.join(world, 'volume-id'), VOLUME);
  fs.writeFileSync(path.join(world, 'held-for'), String(heldFor));
  fs.writeFileSync(path.join(world, 'volume'), 'available None None\n');
  fs.writeFileSync(path.join(world, 'device'), loop);
  fs.writeFileSync(path.join(world, 'device-link'), path.join(root, 'dev/disk/by-id', `nvme-Amazon_Elastic_Block_Store_${VOLUME.replace('-', '')}`));
  fakeEc2(world);
  return { world, root, calls: () => readCalls(path.join(world, 'aws-calls')) };
}

async function run(host: World, instanceId: string, env: Record<string, string> = {}) {
  const imds = await stubImds((req) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return { status: 200, body: TOKEN };
    if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) return { status: 401 };
    if (req.url === '/latest/meta-data/instance-id') return { status: 200, body: instanceId };
    return { status: 404 };
  });
  try {
    const r = await runAsync(script, [], {
      env: {
        PATH: `${path.join(host.world, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        IMDS_ENDPOINT: imds.endpoint,
        OPENCLAW_STATE_VOLUME_ID: VOLUME,
        OPENCLAW_INSTALL_ROOT: host.root,
        STATE_VOLUME_POLL: '0',
        STATE_VOLUME_DEVICE_TIMEOUT: '5',
        ...env,
      },
      timeoutMs: 60_000,
    });
    return { ...r, lines: r.stderr.split('\n').filter(Boolean) };
  } finally {
    await imds.close();
  }
}

const at = (host: World, p: string) => path.join(host.root, p);
const isMountPoint = (p: string) => spawnSync('mountpoint', ['-q', p]).status === 0;
/** What a terminated host leaves: nothing mounted (the kernel unmounts at shutdown). */
function shutDown(host: World) {
  for (const p of [HOST_PATHS.stateDir, HOST_PATHS.spendMeterStateDir, HOST_PATHS.stateVolumeDir]) {
    if (isMountPoint(at(host, p))) execFileSync('umount', [at(host, p)]);
  }
}
const wipe = () => execFileSync('dd', ['if=/dev/zero', `of=${loop}`, 'bs=1M', 'count=4', 'status=none', 'conv=fsync']);
const fsType = () => spawnSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', loop], { encoding: 'utf8' }).stdout.trim();
const attachCalls = (host: World) => host.calls().filter((c) => c[0] === 'ec2' && c[1] === 'attach-volume');
const metricCalls = (host: World) => host.calls().filter((c) => c[0] === 'cloudwatch');
const hosts: World[] = [];
function host(heldFor: number): World {
  const h = newHost(heldFor);
  hosts.push(h);
  return h;
}

beforeAll(() => {
  requireRootForRuntime('the state volume test (loop device, mount)');
  requireRuntimeTool('bash');
  requireRuntimeTool('curl');
  for (const tool of ['losetup', 'mkfs.ext4', 'blkid', 'mount', 'findmnt', 'mountpoint']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`the state volume test needs ${tool} (util-linux, e2fsprogs)`);
  }
  uid = Number(execFileSync('id', ['-u', OLD_GATEWAY_USER], { encoding: 'utf8' }).trim());
  dir = tempDir('oc-state-volume-');
  script = writeExecutable(path.join(dir, 'attach-state-volume.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/attach-state-volume.sh']!);
  image = path.join(dir, 'volume.img');
  fs.writeFileSync(image, Buffer.alloc(0));
  fs.truncateSync(image, 64 << 20);
  loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
});

afterEach(() => {
  for (const h of hosts.splice(0)) shutDown(h);
});

afterAll(() => {
  if (loop) spawnSync('losetup', ['-d', loop]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a host replacement: the new host waits for the old one to let go, then keeps its state', () => {
  test('first host: blank volume held by the old host for 3 polls; attached, formatted once, mounted on both state paths', async () => {
    wipe();
    const h = host(3);
    const r = await run(h, 'i-0000000000000bbbb');
    expect(r.lines).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `openclaw-state-volume: OK: volume ${VOLUME} attached to i-0000000000000bbbb as ${loop}, new ext4 file system, mounted at ${at(h, HOST_PATHS.stateVolumeDir)} ` +
        `(${at(h, HOST_PATHS.stateDir)}, ${at(h, HOST_PATHS.spendMeterStateDir)})\n`,
    );
    // It asked while the old host held it, attached only once it was free, to itself, by ID.
    const describes = h.calls().filter((c) => c[1] === 'describe-volumes');
    expect(describes.length).toBeGreaterThanOrEqual(5);
    expect(attachCalls(h)).toEqual([['ec2', 'attach-volume', '--region', config.aws.region, '--volume-id', VOLUME, '--instance-id', 'i-0000000000000bbbb', '--device', '/dev/sdf', '--output', 'text']]);
    expect(h.calls().findIndex((c) => c[1] === 'attach-volume')).toBe(4);
    expect(metricCalls(h)).toEqual([]);
    expect(fsType()).toBe('ext4');
    expect(spawnSync('blkid', ['-p', '-o', 'value', '-s', 'LABEL', loop], { encoding: 'utf8' }).stdout.trim()).toBe(STATE_VOLUME_LABEL);
    for (const p of [HOST_PATHS.stateVolumeDir, HOST_PATHS.stateDir, HOST_PATHS.spendMeterStateDir]) expect(isMountPoint(at(h, p))).toBe(true);
    // The gateways' folder is root 0755 (each gateway's <id>/ in it is prepare-state.sh's); the meter's root 0700.
    const gateway = fs.statSync(at(h, HOST_PATHS.stateDir));
    expect([gateway.uid, gateway.gid, (gateway.mode & 0o7777).toString(8)]).toEqual([0, 0, '755']);
    const meter = fs.statSync(at(h, HOST_PATHS.spendMeterStateDir));
    expect([meter.uid, meter.gid, (meter.mode & 0o7777).toString(8)]).toEqual([0, 0, '700']);
    // The state paths are the volume's folders.
    fs.writeFileSync(path.join(at(h, HOST_PATHS.stateDir), 'probe'), 'x');
    expect(fs.existsSync(path.join(at(h, HOST_PATHS.stateVolumeDir), 'gateway', 'probe'))).toBe(true);
  });

  test('the next host keeps what the first wrote: no mkfs on a volume that has a file system', async () => {
    wipe();
    const first = host(0);
    expect((await run(first, 'i-0000000000000bbbb')).code).toBe(0);
    const session = path.join(at(first, HOST_PATHS.stateDir), 'agents', 'ops', 'sessions.json');
    fs.mkdirSync(path.dirname(session), { recursive: true });
    fs.writeFileSync(session, '{"session":"kept"}');
    fs.writeFileSync(path.join(at(first, HOST_PATHS.spendMeterStateDir), 'state.json'), '{"month":"2026-12","usd":12.5}');
    // As an earlier single-gateway version left it: the gateway folder its user's, 0700.
    fs.chownSync(at(first, HOST_PATHS.stateDir), uid, uid);
    fs.chmodSync(at(first, HOST_PATHS.stateDir), 0o700);
    shutDown(first);

    const next = host(2);
    const r = await run(next, 'i-0000000000000cccc');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('new ext4 file system');
    expect(fs.readFileSync(path.join(at(next, HOST_PATHS.stateDir), 'agents', 'ops', 'sessions.json'), 'utf8')).toBe('{"session":"kept"}');
    // The earlier version's folder is root 0755 now, its contents kept in place.
    const gateway = fs.statSync(at(next, HOST_PATHS.stateDir));
    expect([gateway.uid, gateway.gid, (gateway.mode & 0o7777).toString(8)]).toEqual([0, 0, '755']);
    expect(fs.readFileSync(path.join(at(next, HOST_PATHS.spendMeterStateDir), 'state.json'), 'utf8')).toBe('{"month":"2026-12","usd":12.5}');
    expect(attachCalls(next).map((c) => c[7])).toEqual(['i-0000000000000cccc']);
  });

  test('run again on a host that already holds and mounts it (a reboot, a second install): nothing attached, nothing formatted', async () => {
    wipe();
    const h = host(0);
    expect((await run(h, 'i-0000000000000bbbb')).code).toBe(0);
    fs.writeFileSync(path.join(at(h, HOST_PATHS.stateDir), 'memory.md'), 'remember');
    const before = attachCalls(h).length;
    const again = await run(h, 'i-0000000000000bbbb');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('new ext4');
    expect(attachCalls(h).length).toBe(before);
    expect(fs.readFileSync(path.join(at(h, HOST_PATHS.stateDir), 'memory.md'), 'utf8')).toBe('remember');
  });
});

describe('fails loudly, one line, a metric, exit 1, and never formats what it cannot vouch for', () => {
  const failure = (step: string, r: { code: number | null; lines: string[]; stdout: string }, detail: RegExp) => {
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^openclaw-state-volume: FAILED ${step}: `));
    expect(r.lines[0]).toMatch(detail);
    expect(r.lines[0]).toMatch(new RegExp(`\\[metric BootPreflightFailed\\{Step=${step}\\} published to ${NAMESPACE.replace(/[/.]/g, '\\$&')}\\]$`));
  };
  const metricFor = (step: string) => [
    'cloudwatch', 'put-metric-data', '--region', config.aws.region, '--namespace', NAMESPACE,
    '--metric-data', `MetricName=BootPreflightFailed,Dimensions=[{Name=Step,Value=${step}}],Value=1,Unit=Count`, 'MetricName=BootPreflightFailed,Value=1,Unit=Count',
    '--cli-connect-timeout', '3', '--cli-read-timeout', '5',
  ];

  test('the old host never lets go: StateVolumeAttach at the time-out, naming it; nothing attached or formatted', async () => {
    wipe();
    const h = host(1_000_000);
    const r = await run(h, 'i-0000000000000bbbb', { STATE_VOLUME_ATTACH_TIMEOUT: '2', STATE_VOLUME_POLL: '1' });
    failure('StateVolumeAttach', r, new RegExp(`volume ${VOLUME} still attached to ${OLD_HOST} \\(attached\\) after 2s`));
    expect(attachCalls(h)).toEqual([]);
    expect(metricCalls(h)).toEqual([metricFor('StateVolumeAttach')]);
    expect(fsType()).toBe('');
  });

  test('attach refused (the role): StateVolumeAttach with the error', async () => {
    wipe();
    const h = host(0);
    fs.writeFileSync(path.join(h.world, 'attach-error'), 'An error occurred (UnauthorizedOperation) when calling the AttachVolume operation: You are not authorized to perform this operation.\n');
    const r = await run(h, 'i-0000000000000bbbb', { STATE_VOLUME_ERROR_GRACE: '0' });
    failure('StateVolumeAttach', r, /attach-volume .* refused .*UnauthorizedOperation/);
    expect(metricCalls(h)).toEqual([metricFor('StateVolumeAttach')]);
  });

  test('a refusal that passes (an instance role still propagating): retried within the grace, then attached and mounted', async () => {
    wipe();
    const h = host(0);
    const errorFile = path.join(h.world, 'attach-error');
    fs.writeFileSync(errorFile, 'An error occurred (UnauthorizedOperation) when calling the AttachVolume operation: You are not authorized to perform this operation.\n');
    // The policy "propagates" after the first refusal: the stand-in removes the error once it has been returned.
    const cli = path.join(h.world, 'bin', 'aws');
    fs.writeFileSync(cli, fs.readFileSync(cli, 'utf8').replace('if [ -f "$W/attach-error" ]; then cat "$W/attach-error" >&2; exit 254; fi', 'if [ -f "$W/attach-error" ]; then cat "$W/attach-error" >&2; rm -f "$W/attach-error"; exit 254; fi'));
    const r = await run(h, 'i-0000000000000bbbb', { STATE_VOLUME_ERROR_GRACE: '60' });
    expect(r.code).toBe(0);
    expect(r.lines.some((l) => /^openclaw-state-volume: retrying: ec2 attach-volume .* refused .*UnauthorizedOperation/.test(l))).toBe(true);
    expect(attachCalls(h)).toHaveLength(2);
    expect(isMountPoint(at(h, HOST_PATHS.stateDir))).toBe(true);
    expect(metricCalls(h)).toEqual([]);
  });

  test('a volume ID the account does not have: StateVolumeAttach (describe-volumes fails)', async () => {
    const h = host(0);
    const r = await run(h, 'i-0000000000000bbbb', { OPENCLAW_STATE_VOLUME_ID: 'vol-0fffffffffffffff0', STATE_VOLUME_ERROR_GRACE: '0' });
    failure('StateVolumeAttach', r, /describe-volumes vol-0fffffffffffffff0 failed .*InvalidVolume\.NotFound/);
  });

  test('attached but the NVMe device never shows: StateVolumeDevice', async () => {
    wipe();
    const h = host(0);
    fs.writeFileSync(path.join(h.world, 'no-device'), '');
    const r = await run(h, 'i-0000000000000bbbb', { STATE_VOLUME_DEVICE_TIMEOUT: '1' });
    failure('StateVolumeDevice', r, /nvme-Amazon_Elastic_Block_Store_vol0a1b2c3d4e5f60718 did not appear within 1s/);
  });

  test('a device with another signature (not ext4): StateVolumeFilesystem, left as it was', async () => {
    wipe();
    execFileSync('mkswap', [loop], { stdio: 'ignore' });
    const h = host(0);
    const r = await run(h, 'i-0000000000000bbbb');
    failure('StateVolumeFilesystem', r, /holds swap, not ext4: refusing to format or mount it/);
    expect(fsType()).toBe('swap');
    expect(isMountPoint(at(h, HOST_PATHS.stateVolumeDir))).toBe(false);
  });

  test('state already written to the root volume under a state path: StateVolumeMount, not hidden under the mount', async () => {
    wipe();
    const h = host(0);
    fs.mkdirSync(at(h, HOST_PATHS.stateDir), { recursive: true });
    fs.writeFileSync(path.join(at(h, HOST_PATHS.stateDir), 'stray'), 'x');
    const r = await run(h, 'i-0000000000000bbbb');
    failure('StateVolumeMount', r, new RegExp(`${at(h, HOST_PATHS.stateDir).replace(/[/.]/g, '\\$&')} is not empty before the state volume is mounted on it`));
    expect(isMountPoint(at(h, HOST_PATHS.stateDir))).toBe(false);
  });
});
