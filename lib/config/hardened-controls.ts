import type { DeploymentConfig } from './schema';

/**
 * Identifiers of the hardened defaults a client may weaken, each only with an
 * approved, unexpired entry in `exceptions`. The schema's
 * `exceptions[].control` enum is this list.
 */
export const HARDENED_CONTROL_IDS = ['data-retention'] as const;

export type HardenedControlId = (typeof HARDENED_CONTROL_IDS)[number];

/** A hardened default and how to tell that a merged config weakens it. */
export interface HardenedControl {
  readonly id: HardenedControlId;
  /** Dotted key path of the setting that carries the control. */
  readonly path: string;
  /** What the control protects, for messages and the compliance report. */
  readonly title: string;
  /** True when the merged config weakens this control. */
  readonly isWeakened: (config: DeploymentConfig) => boolean;
}

const DEFINITIONS: { readonly [id in HardenedControlId]: Omit<HardenedControl, 'id'> } = {
  'data-retention': {
    path: 'dataProtection.retainOnDelete',
    title: 'Keys, secrets and log data are retained when a stack is deleted',
    isWeakened: (config) => !config.dataProtection.retainOnDelete,
  },
};

export const HARDENED_CONTROLS: readonly HardenedControl[] = HARDENED_CONTROL_IDS.map((id) => ({ id, ...DEFINITIONS[id] }));
