/**
 * IAM policy documents compared by meaning, not by bytes: AWS returns a
 * resource policy as it stored it (a single action as a string or a list,
 * `"*"` or `{"AWS": "*"}` for everyone, condition values as strings, another
 * order of statements), so both sides are normalized before they are compared.
 */

type Json = unknown;

/** A statement in normal form: every list sorted, every scalar a string, condition keys in lower case. */
export type NormalStatement = Readonly<Record<string, Json>>;

const list = (v: Json): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x))).sort();

/** A defined Principal or NotPrincipal: `"*"` as `{"AWS": ["*"]}`, every list sorted, the kinds in order. */
function principal(p: Json): Json {
  if (p === '*') return { AWS: ['*'] };
  return Object.fromEntries(Object.entries(p as Record<string, Json>).map(([k, v]) => [k, list(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/** A defined Condition: operators and keys in order, keys in lower case, values as sorted string lists. */
function condition(c: Json): Json {
  return Object.fromEntries(
    Object.entries(c as Record<string, Record<string, Json>>)
      .map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), list(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))))])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

/** One statement in normal form. */
export function normalStatement(s: Record<string, Json>): NormalStatement {
  const out: Record<string, Json> = { Effect: s.Effect };
  if (s.Sid !== undefined && s.Sid !== '') out.Sid = s.Sid;
  for (const k of ['Action', 'NotAction', 'Resource', 'NotResource']) if (s[k] !== undefined) out[k] = list(s[k]);
  for (const k of ['Principal', 'NotPrincipal']) if (s[k] !== undefined) out[k] = principal(s[k]);
  if (s.Condition !== undefined) out.Condition = condition(s.Condition);
  return out;
}

/** The statements of a policy (a JSON string or a parsed document), in normal form and a stable order. */
export function normalPolicy(policy: string | Json): NormalStatement[] {
  const doc = (typeof policy === 'string' ? JSON.parse(policy) : policy) as { Statement?: Json };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement]) as Record<string, Json>[];
  return statements.map(normalStatement).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const label = (s: NormalStatement, i: number) => (typeof s.Sid === 'string' ? s.Sid : `#${i + 1} (${String(s.Effect)} ${list(s.Action ?? s.NotAction).join(',')})`);

/** The differences between a live and an expected policy, one phrase each; [] when they mean the same. */
export function policyDifferences(live: string | Json, expected: string | Json): string[] {
  const a = normalPolicy(live).map((s) => JSON.stringify(s));
  const b = normalPolicy(expected).map((s) => JSON.stringify(s));
  const liveStatements = normalPolicy(live);
  const expectedStatements = normalPolicy(expected);
  const missing = expectedStatements.filter((_s, i) => !a.includes(b[i]!));
  const extra = liveStatements.filter((_s, i) => !b.includes(a[i]!));
  const out: string[] = [];
  for (const s of missing) {
    const changed = extra.find((x) => x.Sid !== undefined && x.Sid === s.Sid);
    if (changed) {
      const keys = [...new Set([...Object.keys(changed), ...Object.keys(s)])].filter((k) => JSON.stringify(changed[k]) !== JSON.stringify(s[k]));
      out.push(`statement ${String(s.Sid)} differs in ${keys.join(', ')}: ${keys.map((k) => `${k} ${JSON.stringify(changed[k]) ?? '(none)'}`).join('; ')}`);
    } else {
      out.push(`statement ${label(s, expectedStatements.indexOf(s))} missing`);
    }
  }
  for (const s of extra) {
    if (missing.some((m) => m.Sid !== undefined && m.Sid === s.Sid)) continue;
    out.push(`extra statement ${label(s, liveStatements.indexOf(s))}: ${JSON.stringify(s)}`);
  }
  return out;
}
