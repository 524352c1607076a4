import type { ConfigProblem } from './errors';
import { formatPath, isPlainObject, type KeyPath } from './key-path';
import type { ConfigLayer } from './yaml-source';

/**
 * Known credential formats, most specific first. Each is tested unanchored
 * (`pattern.test(value)`), so a trailing `+` would add nothing and is left out.
 */
const CREDENTIAL_PATTERNS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'a private key block', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  { kind: 'an AWS access key ID', pattern: /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
  { kind: 'an Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { kind: 'an OpenAI-style API key (sk-...)', pattern: /\bsk-((proj|svcacct|admin|or-v1)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,})/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: 'a Slack token', pattern: /\b(xox[abposr]|xapp)-[A-Za-z0-9-]{10,}/ },
  { kind: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]/ },
  { kind: 'a Discord webhook URL', pattern: /discord(app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/ },
  { kind: 'a Telegram bot token', pattern: /\b\d{8,10}:[A-Za-z0-9_-]{35}\b/ },
  { kind: 'a Discord bot token', pattern: /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}/ },
  { kind: 'a Stripe key', pattern: /\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}/ },
  { kind: 'a Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{30,}/ },
  { kind: 'a Groq or xAI API key', pattern: /\b(gsk_[A-Za-z0-9]{30,}|xai-[A-Za-z0-9]{30,})/ },
  { kind: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

const MIN_RANDOM_LENGTH = 24;
/** Entropy, as a share of the most a string of that length can have. */
const MIN_ENTROPY_SHARE = 0.8;
/** Share of adjacent characters that switch between lower case, upper case, digit and other. */
const MIN_CLASS_SWITCH_SHARE = 0.4;

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(s: string): number {
  const chars = [...s];
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Lower case, upper case, digit; any other character is a fourth class (-1). */
const CHAR_CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/];
const charClass = (c: string) => CHAR_CLASSES.findIndex((re) => re.test(c));

/** Share of adjacent character pairs that change class: ~0.6 for random base62, ~0.2-0.35 for CamelCase names. */
function classSwitchShare(token: string): number {
  let switches = 0;
  for (let i = 1; i < token.length; i++) if (charClass(token[i]!) !== charClass(token[i - 1]!)) switches++;
  return switches / (token.length - 1);
}

/**
 * A long token mixing upper case, lower case and digits, with high entropy
 * and case changing as often as in random text: what a generated secret looks
 * like, and what a CamelCase name, ARN piece, hex digest or UUID does not.
 * Misses about 3% of random 24-character secrets and under 0.5% at 40.
 */
function looksRandom(token: string): boolean {
  if (token.length < MIN_RANDOM_LENGTH) return false;
  return (
    CHAR_CLASSES.every((re) => re.test(token)) &&
    shannonEntropy(token) >= MIN_ENTROPY_SHARE * Math.log2(token.length) &&
    classSwitchShare(token) >= MIN_CLASS_SWITCH_SHARE
  );
}

/** Returns what the string looks like if it looks like a credential. */
export function detectCredential(value: string): string | undefined {
  for (const { kind, pattern } of CREDENTIAL_PATTERNS) if (pattern.test(value)) return kind;
  const tokens = value.split(/[\s/:?&=@,;"'()[\]{}<>|\\]/);
  if (tokens.some(looksRandom)) return 'a long random string (a generated secret or token)';
  return undefined;
}

/**
 * Scans every key and string value of one overlay (before merging, so the
 * message names the file the value is in). Never echoes the value itself.
 */
export function scanLayerForCredentials(layer: ConfigLayer): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (path: KeyPath, kind: string, what: string, shownPath: KeyPath = path) => {
    const key = formatPath(path);
    problems.push({
      file: layer.file,
      line: layer.lines.get(key),
      path: formatPath(shownPath),
      message:
        `${what} looks like ${kind}. Credentials never live in config files: store the value in AWS Secrets Manager ` +
        `(docs/configuration.md, "Secrets never live in config") and remove it from this file and its git history.`,
    });
  };
  const visit = (v: unknown, path: KeyPath) => {
    if (typeof v === 'string') {
      const kind = detectCredential(v);
      if (kind) report(path, kind, 'the value');
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, i]));
    } else if (isPlainObject(v)) {
      for (const [k, child] of Object.entries(v)) {
        const kind = detectCredential(k);
        // The key itself is the secret: never print it, not even in the path.
        if (kind) report([...path, k], kind, 'the key', [...path, '<redacted key>']);
        visit(child, [...path, k]);
      }
    }
  };
  visit(layer.value, []);
  return problems;
}
