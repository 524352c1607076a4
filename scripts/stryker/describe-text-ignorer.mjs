// A Stryker ignorer plugin (https://stryker-mutator.io/docs/stryker-js/disable-mutants/#using-an-ignore-plugin):
// mutants inside the argument of a `.describe(...)` call are not run. In this code base only
// the zod config schemas (lib/config/schema*.ts) call `.describe`: its argument is the text
// editors show for a config key (config/schema.json), documentation, not a control. That a
// key HAS a description is a rule, and test/config/schema.test.ts checks it; what the text
// says is reviewed like any documentation. Stryker reports these mutants as Ignored, with
// the reason, and the score leaves them out (as Stryker's own score does).
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';
import describeText from './describe-text.cjs';

export class DescribeTextIgnorer {
  shouldIgnore(path) {
    return describeText.describeTextReason(path);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'describe-text', DescribeTextIgnorer)];
