import type { Options } from '../../../host/gateway-probe/args';
import { runProbe, type ProbeDeps, type ProbeResult } from '../../../host/gateway-probe/probe';
import { settlesWithin } from '../../support/settles-within';

/**
 * `runProbe`, failing 0.5 s after the probe's own timeout (`o.timeoutMs`) if it has not answered by
 * then. The probe promises an answer within its timeout whatever the gateway does; a probe that
 * loses its timer (a regression, a mutant) then fails each test in seconds instead of at the test
 * timeout, which is what made a mutation run time out instead of counting the mutant killed.
 */
export function boundedProbe(o: Options, deps?: ProbeDeps): Promise<ProbeResult> {
  return settlesWithin(runProbe(o, deps), o.timeoutMs + 500);
}
