/** npm run verify: see lib/verify/verify-command.ts. */
import { runVerify } from '../lib/verify/verify-command';

// The SDK's nine-line notice that its 2027 releases need Node 22 would bury the
// one-line answers of this command (the project's own move to Node 22 is tracked
// in its issues); an operator who wants it back sets the variable to false.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const tty = process.stderr.isTTY;
void runVerify(process.argv.slice(2), {
  now: () => new Date(),
  io: {
    out: (t) => console.log(t),
    err: (t) => console.error(t),
    progressLine: tty ? (t) => process.stderr.write(`\r\x1b[2K${t}`) : undefined,
  },
}).then((code) => process.exit(code));
