/**
 * The metrics of the daily drift check (lambda/verify-controls/), in the
 * deployment's namespace (hostMetricNamespace, `OpenClaw/<name>`): published
 * by the Lambda, watched by the controls-drifted alarm, counted by the cost
 * estimate. Pure constants, no imports.
 */

/** Per control of a daily check, dimension `Control=<control>`, unit Count: 1 when a result of it failed, 0 when it holds. */
export const CONTROL_DRIFTED_METRIC = 'ControlDrifted';

/** No dimensions, unit Count: how many controls failed in the run (what the controls-drifted alarm watches). */
export const CONTROLS_DRIFTED_METRIC = 'ControlsDrifted';

/** The dimension naming the control of CONTROL_DRIFTED_METRIC. */
export const CONTROL_DIMENSION = 'Control';
