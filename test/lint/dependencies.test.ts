import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every package the shipped code loads at run time is a declared dependency, not a
 * devDependency and not one that only happens to be installed as another package's
 * dependency. The shipped code is lib/ and bin/ (run by `cdk synth`), and host/ and lambda/
 * (bundled by esbuild during synth from node_modules). A user who installs with
 * `npm ci --omit=dev`, or whose lock file resolves a transitive package differently, must still
 * be able to synthesize. Type-only imports (`import type`) are erased and may name a
 * devDependency such as @types/aws-lambda.
 */
const ROOT = path.join(__dirname, '..', '..');
const SHIPPED = ['lib', 'bin', 'host', 'lambda'];
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The module specifiers `text` loads at run time: value imports and re-exports, require() and import(). */
export function runtimeSpecifiers(text: string, fileName = 'x.ts'): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) out.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); undefined for relative paths and Node's own modules. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

describe('the packages the shipped code loads are declared dependencies', () => {
  const used = new Map<string, Set<string>>();
  for (const dir of SHIPPED) {
    for (const file of sourceFiles(path.join(ROOT, dir))) {
      for (const spec of runtimeSpecifiers(fs.readFileSync(file, 'utf8'), file)) {
        const name = packageOf(spec);
        if (name) used.set(name, (used.get(name) ?? new Set()).add(path.relative(ROOT, file)));
      }
    }
  }

  it('finds the packages it checks (the walk reads the shipped folders)', () => {
    expect([...used.keys()]).toEqual(expect.arrayContaining(['aws-cdk-lib', 'cdk-nag', 'esbuild', '@smithy/credential-provider-imds', '@smithy/node-http-handler']));
  });

  it('each is in "dependencies" (not devDependencies, not only installed through another package)', () => {
    const wrong = [...used]
      .filter(([name]) => pkg.dependencies[name] === undefined)
      .map(([name, files]) => `${name} (${pkg.devDependencies[name] !== undefined ? 'a devDependency' : 'not declared'}; used by ${[...files].sort()[0]})`);
    expect(wrong).toEqual([]);
  });

  it('each is pinned exactly (no range)', () => {
    expect([...used.keys()].filter((n) => pkg.dependencies[n] !== undefined && !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pkg.dependencies[n]!))).toEqual([]);
  });

  it('reads what loads at run time, not what is erased', () => {
    const text = [
      "import type { Context } from 'aws-lambda';",
      "import { type BuildOptions } from 'esbuild-types-only';",
      "import { buildSync } from 'esbuild';",
      "import './side-effect';",
      "export { x } from '@scope/pkg/sub';",
      "export type { Y } from 'types-only-export';",
      "const z = require('zod');",
      "const w = await import('yaml');",
      "import * as fs from 'fs';",
      "import * as p from 'node:path';",
    ].join('\n');
    expect(runtimeSpecifiers(text)).toEqual(['esbuild', './side-effect', '@scope/pkg/sub', 'zod', 'yaml', 'fs', 'node:path']);
    expect(runtimeSpecifiers(text).map(packageOf)).toEqual(['esbuild', undefined, '@scope/pkg', 'zod', 'yaml', undefined, undefined]);
  });
});
