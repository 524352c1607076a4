import * as hostPrograms from '../../lib/bundling/host-programs';
import * as esbuildOptions from '../../lib/bundling/esbuild-options';

// The host programs' bundles (lib/bundling/host-programs.ts),
// focused: what they ask esbuild for, the banner, the default credential chain replaced by a
// stub (or, for gateway-probe.js, no AWS SDK at all), the refusal of CDK, constructs and zod,
// and the memo. (The bundled programs run as the host runs them: fetch-secrets.test.ts,
// spend-meter-main.test.ts, gateway-probe-args.test.ts and test/openclaw/gateway-probe-*.test.ts.)

afterEach(() => jest.restoreAllMocks());

interface Bundle {
  readonly program: string;
  readonly module: string;
  readonly build: (m: typeof hostPrograms) => string;
  readonly memo: (m: typeof hostPrograms) => string;
  readonly entry: string;
  readonly target: string;
  /** The first line of the bundled file. */
  readonly banner: string;
  /** The refusal of the stub that replaces the SDK's default credential chain; undefined: the program bundles no AWS SDK. */
  readonly stubMessage?: string;
}

const BUNDLES: readonly Bundle[] = [
  {
    program: 'fetch-secrets.js',
    module: require.resolve('../../lib/bundling/host-programs'),
    build: (m) => m.buildHostProgram('fetch-secrets'),
    memo: (m) => m.bundleFetchSecrets(),
    entry: 'host/fetch-secrets/main.ts',
    target: 'node22',
    banner: '// fetch-secrets.js: bundled from host/fetch-secrets/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.',
    stubMessage: 'fetch-secrets: credentials come from IMDSv2 only (the default credential chain is not bundled)',
  },
  {
    program: 'spend-meter.js',
    module: require.resolve('../../lib/bundling/host-programs'),
    build: (m) => m.buildHostProgram('spend-meter'),
    memo: (m) => m.bundleSpendMeter(),
    entry: 'host/spend-meter/main.ts',
    target: 'node24',
    banner: '// spend-meter.js: bundled from host/spend-meter/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.',
    stubMessage: 'spend-meter: credentials come from IMDSv2 only (the default credential chain is not bundled)',
  },
  {
    program: 'gateway-probe.js',
    module: require.resolve('../../lib/bundling/host-programs'),
    build: (m) => m.buildHostProgram('gateway-probe'),
    memo: (m) => m.bundleGatewayProbe(),
    entry: 'host/gateway-probe/main.ts',
    target: 'node24',
    banner: '// gateway-probe.js: bundled from host/gateway-probe/ of openclaw-hardened-aws; do not edit on the host.',
  },
];
const real = hostPrograms;

describe.each(BUNDLES)('$program', (b) => {
  test('built from its entry for the Node it runs on', () => {
    const options = jest.spyOn(esbuildOptions, 'nodeBundleOptions');
    b.build(real);
    expect(options.mock.calls).toEqual([[b.entry, b.target]]);
  });

  test('its first line names where it comes from and that it is not to be edited on the host', () => {
    const dir = b.entry.slice(0, b.entry.lastIndexOf('/') + 1);
    expect(b.banner.startsWith(`// ${b.program}: bundled from ${dir} of openclaw-hardened-aws`)).toBe(true);
    expect(b.memo(real).split('\n')[0]).toBe(b.banner);
  });

  test(b.stubMessage ? "the SDK's default credential chain is replaced by the stub that refuses" : 'no AWS SDK and no credential provider in it', () => {
    // Built afresh, not memoized: a test that only reads the memo does not run the build,
    // so per-test coverage would not tie the build options to this check.
    const text = b.build(real);
    if (b.stubMessage) expect(text).toContain(b.stubMessage);
    else expect(text).not.toMatch(/@aws-sdk|@smithy/);
    for (const provider of ['credential-provider-sso', 'credential-provider-ini', 'credential-provider-process', 'credential-provider-web-identity']) {
      expect({ provider, bundled: text.includes(provider) }).toEqual({ provider, bundled: false });
    }
  });

  /** The bundle module loaded afresh with esbuild answering `inputs` (and the text `out`). */
  function withInputs(inputs: readonly string[]): { module: typeof hostPrograms; calls: () => number } {
    let calls = 0;
    let module!: typeof hostPrograms;
    jest.isolateModules(() => {
      jest.doMock('esbuild', () => ({
        buildSync: () => {
          calls += 1;
          return { metafile: { inputs: Object.fromEntries(inputs.map((f) => [f, {}])) }, outputFiles: [{ text: 'out' }] };
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded afresh with esbuild mocked
      module = require(b.module) as typeof module;
    });
    return { module, calls: () => calls };
  }

  test('CDK, constructs or zod in the bundle is refused, naming the first five files', () => {
    const forbidden = ['node_modules/zod/v4/index.js', 'node_modules/aws-cdk-lib/core/a.js', 'node_modules/constructs/lib/b.js', 'node_modules/zod/c.js', 'node_modules/zod/d.js', 'node_modules/zod/e.js'];
    const { module } = withInputs(['host/x.ts', ...forbidden]);
    expect(() => b.build(module)).toThrow(
      new Error(
        `${b.program} must not bundle aws-cdk-lib, constructs, zod; it does: node_modules/zod/v4/index.js, node_modules/aws-cdk-lib/core/a.js, node_modules/constructs/lib/b.js, node_modules/zod/c.js, node_modules/zod/d.js`,
      ),
    );
  });

  test('only those packages are refused: a package whose name starts the same, or a path that only ends like one, is not', () => {
    const { module } = withInputs(['host/x.ts', 'node_modules/zodiac/a.js', 'node_modules/constructs-extra/b.js', 'vendor/node_modules/zod/c.js', 'node_modules/@aws-sdk/client-x/d.js']);
    expect(b.build(module)).toBe('out');
  });

  test('one package of the list is enough to refuse', () => {
    for (const p of ['aws-cdk-lib', 'constructs', 'zod']) {
      const { module } = withInputs([`node_modules/${p}/index.js`]);
      expect(() => b.build(module)).toThrow(`it does: node_modules/${p}/index.js`);
    }
  });

  test('built once per process: the memo answers the second time', () => {
    const { module, calls } = withInputs(['host/x.ts']);
    expect([b.memo(module), b.memo(module), calls()]).toEqual(['out', 'out', 1]);
    expect([b.build(module), calls()]).toEqual(['out', 2]);
  });
});
