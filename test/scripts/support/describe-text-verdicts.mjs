// Prints, as JSON, every string literal of the TypeScript read from stdin with the verdict of
// the describe-text ignorer, visiting nodes as Stryker does: top down, a node below an ignored
// one is ignored too. Run with the @babel/core of Stryker's instrumenter (ESM, Babel 8), which
// jest cannot load in-process.
import { createRequire } from 'module';
import * as path from 'path';
import { readFileSync } from 'fs';

const require = createRequire(import.meta.url);
const instrumenter = path.dirname(require.resolve('@stryker-mutator/instrumenter/package.json'));
const babel = await import(createRequire(path.join(instrumenter, 'x.js')).resolve('@babel/core'));
const { describeTextReason } = require('../../../scripts/stryker/describe-text.cjs');

const ast = babel.parseSync(readFileSync(0, 'utf8'), { filename: 'x.ts', configFile: false, babelrc: false, sourceType: 'module', presets: [] });
const out = [];
const reasonUp = (p) => {
  for (let q = p; q; q = q.parentPath) {
    const r = describeTextReason(q);
    if (r) return r;
  }
  return null;
};
babel.traverse(ast, {
  StringLiteral: (p) => void out.push([p.node.value, reasonUp(p)]),
  TemplateElement: (p) => void out.push([p.node.value.raw, reasonUp(p)]),
  NumericLiteral: (p) => void out.push([p.node.value, reasonUp(p)]),
});
process.stdout.write(JSON.stringify(out));
