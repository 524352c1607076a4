import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every field of an exported `*Props` / `*Options` interface carries JSDoc, and
 * every optional field names its `@default` (the style of cdklabs'
 * cdk-monitoring-constructs): a reader of a construct's props learns what each
 * one means and what happens when it is left out, without reading the code.
 *
 * Scope: the construct and stack files listed below, not all of lib/. Other
 * folders (lib/openclaw, lib/config, lib/cost, the host renderers, the
 * config-schema and audit-bucket/audit-config files) are being edited on other
 * branches at the same time; add them here once they follow the rule.
 */
const ROOT = path.join(__dirname, '..', '..');
const FOLDERS = ['lib/edge', 'lib/keys', 'lib/network', 'lib/shared', 'lib/stacks'];
const FILES = [
  'lib/alarms/alert-topic.ts',
  'lib/alarms/runbook-alarm.ts',
  'lib/alarms/gateway-alarms.ts',
  'lib/audit/access-log-bucket.ts',
  'lib/audit/audit-store.ts',
  'lib/audit/audit-trail.ts',
  'lib/audit/host-log-groups.ts',
  'lib/audit/log-archive.ts',
  'lib/audit/trail-alarms.ts',
  'lib/host/gateway-instance.ts',
  'lib/host/gateway-role.ts',
  'lib/host/gateway-state-volume.ts',
  'lib/host/gateway-state-backup.ts',
  'lib/host/instance-hardening.ts',
  'lib/host/instance-recovery.ts',
  'lib/host/replacement-identity.ts',
  'lib/host/deployment-bundle.ts',
  'lib/host/session-logging.ts',
  'lib/secrets/hardened-secret.ts',
  'lib/secrets/deployment-secrets.ts',
  'lib/secrets/secret-rotation.ts',
  'lib/secrets/secrets-refresh-document.ts',
  'lib/spend/kill-switch.ts',
  'lib/spend/deployment-budgets.ts',
  'lib/spend/spend-alarms.ts',
  'lib/deployment-stage.ts',
];
/** The config-schema files of the folders above belong to the config schema, not to a construct. */
const EXCLUDED = new Set(['config-schema.ts']);

function filesInScope(): string[] {
  const fromFolders = FOLDERS.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.ts') && !EXCLUDED.has(f))
      .map((f) => `${dir}/${f}`),
  );
  return [...fromFolders, ...FILES];
}

function isExported(node: ts.InterfaceDeclaration): boolean {
  return (node.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The problems of one file: `<file>: <Interface>.<field> <what is missing>`. */
export function propsJsdocProblems(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || !isExported(node) || !/(Props|Options)$/.test(node.name.text)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member)) continue;
      const field = `${file}: ${node.name.text}.${member.name.getText(source)}`;
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      if (docs.length === 0) {
        problems.push(`${field} has no JSDoc`);
        continue;
      }
      const hasDefault = docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'default'));
      if (member.questionToken && !hasDefault) problems.push(`${field} is optional without @default`);
    }
  });
  return problems;
}

describe('props JSDoc', () => {
  test('the checker finds a field without JSDoc and an optional field without @default', () => {
    const text = [
      'export interface AProps {',
      '  /** Documented. */',
      '  readonly a: string;',
      '  readonly b: string;',
      '  /** Optional, no default named. */',
      '  readonly c?: string;',
      '  /** Optional. @default 3 */',
      '  readonly d?: number;',
      '}',
      'interface HiddenProps { readonly e: string }',
      'export interface NotAProps2 { readonly f: string }',
    ].join('\n');
    expect(propsJsdocProblems('x.ts', text)).toEqual(['x.ts: AProps.b has no JSDoc', 'x.ts: AProps.c is optional without @default']);
  });

  test('every field of an exported Props/Options interface in the construct and stack files is documented', () => {
    const problems = filesInScope().flatMap((file) => propsJsdocProblems(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(problems).toEqual([]);
  });
});
