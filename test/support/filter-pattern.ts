/**
 * CloudWatch Logs filter patterns for unstructured log events, the part this project uses:
 * one or more terms separated by spaces, each a bare word (letters, digits, underscore) or a
 * "quoted phrase"; an event matches when it contains every term, case-sensitive, as a
 * substring ("Filter pattern syntax for metric filters, subscription filters, filter log
 * events, and Live Tail", matching terms in unstructured log events:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
 * OR (`?term`), exclusion (`-term`), JSON (`{ }`), space-delimited (`[ ]`) and regex (`%...%`)
 * patterns are not implemented: they throw, so a test cannot pass on a syntax it does not model.
 */
export function termPatternMatches(pattern: string, message: string): boolean {
  const terms: string[] = [];
  const re = /\s*(?:"([^"]*)"|([A-Za-z0-9_]+))\s*/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < pattern.length && (m = re.exec(pattern)) !== null) {
    terms.push((m[1] ?? m[2])!);
    at = re.lastIndex;
  }
  if (at !== pattern.length || terms.length === 0) throw new Error(`filter pattern ${JSON.stringify(pattern)}: only AND of bare or quoted terms is modelled`);
  return terms.every((t) => message.includes(t));
}
