import { ExperimentStatus } from './experiment.model';
import { targetingProblems, type Problem } from '../targeting/targeting.rules';
import type { Targeting } from '../engine/targeting.model';
import { analysisPlanProblems, type AnalysisPlan } from '../stats/analysis-plan';

/** An experiment's configuration as plain data: what the rules below reason about. */
export interface ExperimentConfig {
  name: string;
  description: string | null;
  hypothesis: string | null;
  strategy: string | null;
  owner: string | null;
  tags: string[];
  trafficAllocation: number;
  variants: VariantConfig[];
  targeting: Targeting;
  primaryMetricKey: string | null;
  secondaryMetricKeys: string[];
  guardrailMetricKeys: string[];
  /** Pause when computed results find a guardrail at risk. */
  autoPauseOnGuardrail: boolean;
  layerKey: string | null;
  /** Percent of the layer; set together with layerKey. */
  layerShare: number | null;
  /** Null: the default plan. Optional so that configurations from before plans still type. */
  analysisPlan?: AnalysisPlan | null;
}

export interface VariantConfig {
  key: string;
  name: string;
  weight: number;
  isControl: boolean;
  payload: Record<string, unknown>;
  /** Null or absent: the experiment's strategy. */
  strategy?: string | null;
}

export type ConfigField = keyof ExperimentConfig;

export enum LifecycleAction {
  START = 'START',
  PAUSE = 'PAUSE',
  RESUME = 'RESUME',
  STOP = 'STOP',
  ARCHIVE = 'ARCHIVE',
  /** A new randomisation: a new phase with a new seed. */
  RESTART = 'RESTART',
}

/** The lifecycle: which status each action leaves from, and where it leads. Anything else is refused. */
export const TRANSITIONS: Record<LifecycleAction, { from: ExperimentStatus[]; to: ExperimentStatus }> = {
  [LifecycleAction.START]: { from: [ExperimentStatus.DRAFT], to: ExperimentStatus.RUNNING },
  [LifecycleAction.PAUSE]: { from: [ExperimentStatus.RUNNING], to: ExperimentStatus.PAUSED },
  [LifecycleAction.RESUME]: { from: [ExperimentStatus.PAUSED], to: ExperimentStatus.RUNNING },
  [LifecycleAction.STOP]: { from: [ExperimentStatus.RUNNING, ExperimentStatus.PAUSED], to: ExperimentStatus.STOPPED },
  [LifecycleAction.ARCHIVE]: { from: [ExperimentStatus.DRAFT, ExperimentStatus.STOPPED], to: ExperimentStatus.ARCHIVED },
  [LifecycleAction.RESTART]: { from: [ExperimentStatus.RUNNING, ExperimentStatus.PAUSED], to: ExperimentStatus.RUNNING },
};

/** The status `action` leads to from `status`, or null when the lifecycle does not allow it. */
export function nextStatus(status: ExperimentStatus, action: LifecycleAction): ExperimentStatus | null {
  const transition = TRANSITIONS[action];
  return transition.from.includes(status) ? transition.to : null;
}

const ALL_FIELDS: ConfigField[] = [
  'name', 'description', 'hypothesis', 'strategy', 'owner', 'tags', 'trafficAllocation', 'variants', 'targeting',
  'primaryMetricKey', 'secondaryMetricKeys', 'guardrailMetricKeys', 'autoPauseOnGuardrail', 'layerKey', 'layerShare', 'analysisPlan',
];

/**
 * What may change in each status. Once users have been assigned, the variants, weights and targeting
 * (and what the experiment measures) are fixed, or the analysis would mix populations; only the
 * traffic allocation may be ramped, the descriptive fields edited, and auto-pause switched.
 */
export const EDITABLE_FIELDS: Record<ExperimentStatus, ReadonlySet<ConfigField>> = {
  [ExperimentStatus.DRAFT]: new Set(ALL_FIELDS),
  [ExperimentStatus.RUNNING]: new Set(['name', 'description', 'tags', 'trafficAllocation', 'autoPauseOnGuardrail']),
  [ExperimentStatus.PAUSED]: new Set(['name', 'description', 'tags', 'trafficAllocation', 'autoPauseOnGuardrail']),
  [ExperimentStatus.STOPPED]: new Set(['name', 'description', 'tags']),
  [ExperimentStatus.ARCHIVED]: new Set(),
};

/** JSON with object keys sorted: equal for equal values, whatever order the keys came in (jsonb reorders them). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The fields that `changes` would really change (same value is no change) but that `status` locks. */
export function lockedChanges(status: ExperimentStatus, current: ExperimentConfig, changes: Partial<ExperimentConfig>): ConfigField[] {
  return (Object.keys(changes) as ConfigField[]).filter(
    (field) => changes[field] !== undefined && !EDITABLE_FIELDS[status].has(field) && canonicalJson(changes[field]) !== canonicalJson(current[field]),
  );
}

/** Problems any saved configuration must be free of, draft or not. */
export function configProblems(config: ExperimentConfig): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  config.variants.forEach((variant, i) => {
    if (seen.has(variant.key)) problems.push({ field: `variants.${i}.key`, message: `variant key "${variant.key}" is used twice` });
    seen.add(variant.key);
    if (JSON.stringify(variant.payload).length > 16_384) problems.push({ field: `variants.${i}.payload`, message: 'payload is larger than 16 KiB' });
  });
  for (const problem of targetingProblems(config.targeting)) problems.push({ field: `targeting.${problem.field}`, message: problem.message });
  for (const problem of config.analysisPlan ? analysisPlanProblems(config.analysisPlan) : []) problems.push(problem);
  if ((config.layerKey === null) !== (config.layerShare === null)) {
    problems.push({ field: config.layerKey === null ? 'layerKey' : 'layerShare', message: 'layerKey and layerShare go together' });
  }
  return problems;
}

const WEIGHT_TOLERANCE = 1e-6;

/** What stops a configuration from being started: one control, weights summing to 100, a primary metric, payloads that agree. */
export function startProblems(config: ExperimentConfig): Problem[] {
  const problems: Problem[] = [];
  const controls = config.variants.filter((variant) => variant.isControl).length;
  if (controls !== 1) problems.push({ field: 'variants', message: `needs exactly one control variant, has ${controls}` });
  const total = config.variants.reduce((sum, variant) => sum + variant.weight, 0);
  if (Math.abs(total - 100) > WEIGHT_TOLERANCE) problems.push({ field: 'variants', message: `variant weights must sum to 100, they sum to ${total}` });
  if (!config.primaryMetricKey) problems.push({ field: 'primaryMetricKey', message: 'needs a primary metric' });
  problems.push(...payloadTypeProblems(config.variants));
  return problems;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A payload field the variants give different types (`rewardAmount` a number in one, a string in
 * another) breaks the app that reads it in one of the arms. A field only some variants have is fine.
 */
export function payloadTypeProblems(variants: VariantConfig[]): Problem[] {
  const first = new Map<string, { variant: string; type: string }>();
  const problems: Problem[] = [];
  variants.forEach((variant, i) => {
    for (const [name, value] of Object.entries(variant.payload ?? {})) {
      const type = jsonType(value);
      const seen = first.get(name);
      if (!seen) first.set(name, { variant: variant.key, type });
      else if (seen.type !== type) {
        problems.push({ field: `variants.${i}.payload.${name}`, message: `"${name}" is ${type} here but ${seen.type} in "${seen.variant}"` });
      }
    }
  });
  return problems;
}

/**
 * Every problem of an experiment at once: what a save refuses and what a start refuses. A draft
 * shows them as warnings; starting refuses them all in one error. Pure: the references (metrics,
 * layer, tiers) are checked by the service, which reads them.
 */
export function experimentProblems(config: ExperimentConfig): Problem[] {
  return [...configProblems(config), ...startProblems(config)];
}

/** How to change a field that `status` locks: the mutation that does it, so a refusal shows the way out. */
export function lockedFieldHint(field: ConfigField, status: ExperimentStatus): string {
  if (status === ExperimentStatus.ARCHIVED) return 'an archived experiment is read-only; duplicateExperiment makes a new draft from it';
  if (field === 'variants' && (status === ExperimentStatus.RUNNING || status === ExperimentStatus.PAUSED)) {
    return 'restartExperiment(key, version, variants, reason) re-randomises with new variants or weights, as a new phase';
  }
  if (field === 'trafficAllocation' || field === 'autoPauseOnGuardrail') return 'a stopped experiment is over; duplicateExperiment makes a new draft to run again';
  return 'duplicateExperiment makes a new draft with this configuration, to change and start';
}
