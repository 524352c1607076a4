// Which mutants the describe-text ignorer (describe-text-ignorer.mjs) leaves out: those inside
// the argument of a `.describe(...)` call. CommonJS, so that jest tests it directly
// (test/scripts/describe-text-ignorer.test.ts).

const DESCRIBE_TEXT_REASON = 'description text of a config key (documentation shown in editors, not a control)';

/** The reason to ignore the node at `path` (a Babel NodePath), or undefined to mutate it. */
function describeTextReason(path) {
  const parent = path.parentPath;
  if (path.listKey !== 'arguments' || !parent || !parent.isCallExpression()) return undefined;
  const callee = parent.node.callee;
  const isDescribe = callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'describe';
  return isDescribe ? DESCRIBE_TEXT_REASON : undefined;
}

module.exports = { DESCRIBE_TEXT_REASON, describeTextReason };
