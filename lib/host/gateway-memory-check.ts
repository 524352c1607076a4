/**
 * The memory lines of each gateway unit (openclaw-gateway@<id>.service), checked on its text: the cgroup cap
 * (MemoryMax=, no swap) and Node's heap limit on the gateway's command line, both
 * the values lib/host/gateway-sizing.ts sized the host for. A unit without them
 * would let one gateway take the memory the host reserved for the others.
 */
import { GATEWAY_HEAP_ARG, GATEWAY_MEMORY_MAX } from './gateway-sizing';
import { HOST_PATHS } from './paths';
import { parseUnit, unitValue } from './unit-file';

/** The gateway unit's ExecStart=: the pinned node with the heap limit, then `openclaw gateway run`. */
export const GATEWAY_EXEC_START = `${HOST_PATHS.node} ${GATEWAY_HEAP_ARG} ${HOST_PATHS.openclawBin} gateway run`;

/** Problems with the gateway unit's memory limits (empty when they are as sized). */
export function gatewayMemoryProblems(unitText: string): string[] {
  const e = parseUnit(unitText);
  const problems: string[] = [];
  const max = unitValue(e, 'Service', 'MemoryMax');
  if (max !== GATEWAY_MEMORY_MAX) problems.push(`MemoryMax=${GATEWAY_MEMORY_MAX} missing (is ${max ?? 'unset'}): the host is sized for that cap per gateway`);
  const swap = unitValue(e, 'Service', 'MemorySwapMax');
  if (swap !== '0') problems.push(`MemorySwapMax=0 missing (is ${swap ?? 'unset'}): the cap is memory, and the gateway's secrets never go to swap`);
  const exec = unitValue(e, 'Service', 'ExecStart');
  if (exec !== GATEWAY_EXEC_START) problems.push(`ExecStart must be ${GATEWAY_EXEC_START} (the heap limit before the entry script; is ${exec ?? 'unset'})`);
  return problems;
}
