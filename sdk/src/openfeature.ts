/**
 * An OpenFeature provider for `@openfeature/server-sdk` on the SDK's local mode: flags are
 * evaluated in-process by the server's own engine, from a configuration the client keeps current
 * (polling, and the live update stream when `stream: true`).
 *
 * - Evaluation details: the value, the variant, the reason (Uplift's reasons are OpenFeature's:
 *   STATIC, TARGETING_MATCH, SPLIT, DEFAULT, DISABLED, ERROR), OpenFeature's error codes, and flag
 *   metadata (`configVersion`; `experimentKey` and `experimentPhase` when an experiment's variant
 *   served the value).
 * - The context is read as the server's OFREP endpoints read it (src/engine/openfeature.ts):
 *   `targetingKey` the user's id, `tier` the tier, every other key an attribute.
 * - Reading a flag is the app reading a value: the exposure of the experiment that served it is
 *   logged, as `LocalUpliftClient.flag` does.
 * - `track` sends OpenFeature's tracking events to `trackEvents`, batched.
 * - Events: Ready once a configuration is in hand, ConfigurationChanged (with `flagsChanged`) when
 *   another version is installed, Stale when the server has not been heard from for `staleAfterMs`,
 *   Ready again when it is, Error when there is no configuration to evaluate with.
 */
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue as OpenFeatureJson,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import { flagMetadata, flagsChanged, isContextProblem, servingAssignment, userFromFlatContext, type JsonValue, type UserContext } from '../../src/engine';
import { LocalUpliftClient, type LocalOptions } from './client';
import { UpliftError } from './errors';
import type { FlagResult, SdkConfig } from './types';

export interface UpliftProviderOptions extends LocalOptions {
  /** How long `initialize` (OpenFeature's `setProviderAndWait`) waits for a first configuration; default 5,000 ms. */
  initTimeoutMs?: number;
  /**
   * How long without hearing from the server (a fetch answered, or the update stream's heartbeat
   * every 25 s) before the provider says Stale; default 60,000 ms, or twice `refreshIntervalMs`
   * when that is longer.
   */
  staleAfterMs?: number;
}

/** Uplift's error codes as OpenFeature's. */
const ERROR_CODES: Record<string, ErrorCode> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: ErrorCode.TYPE_MISMATCH,
  NOT_READY: ErrorCode.PROVIDER_NOT_READY,
  BAD_USER_INPUT: ErrorCode.INVALID_CONTEXT,
  // A client-side key's configuration holds one user's forced assignments: another user's context does not fit it.
  NEEDS_SERVER: ErrorCode.INVALID_CONTEXT,
  // The flag uses an operator or rule kind this SDK cannot read.
  UNSUPPORTED_CONFIGURATION: ErrorCode.PARSE_ERROR,
};

/** OpenFeature's context values as JSON, as they would travel to the server: dates as ISO 8601 strings. */
function asJson(value: unknown): JsonValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(asJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asJson(item)]));
  return value as JsonValue;
}

type State = 'not-ready' | 'ready' | 'stale' | 'error' | 'closed';

export class UpliftProvider implements Provider {
  readonly metadata = { name: 'uplift' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The SDK client underneath: its `configuration()`, `stats()`, `flush()`. */
  readonly client: LocalUpliftClient;
  private readonly initTimeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly onError: LocalOptions['onError'];
  private state: State = 'not-ready';
  private startedAt = 0;
  private watch: ReturnType<typeof setInterval> | undefined;

  constructor(options: UpliftProviderOptions) {
    const { initTimeoutMs = 5_000, staleAfterMs, ...clientOptions } = options;
    this.initTimeoutMs = initTimeoutMs;
    this.onError = options.onError;
    this.staleAfterMs = staleAfterMs ?? Math.max(60_000, 2 * (options.refreshIntervalMs ?? 30_000));
    this.client = new LocalUpliftClient({
      ...clientOptions,
      onChange: (config, previous) => {
        this.configurationInstalled(config, previous);
        clientOptions.onChange?.(config, previous);
      },
    });
  }

  async initialize(): Promise<void> {
    this.startedAt = Date.now();
    const every = Math.max(50, Math.min(5_000, this.staleAfterMs / 4));
    this.watch = setInterval(() => this.checkFreshness(), every);
    (this.watch as { unref?: () => void }).unref?.();
    if (await this.client.ready(this.initTimeoutMs)) {
      this.state = 'ready';
      return;
    }
    // OpenFeature emits Error for a rejected initialize; Ready follows when a configuration arrives.
    this.state = 'error';
    throw new UpliftError('NOT_READY', `No configuration from Uplift within ${this.initTimeoutMs} ms`);
  }

  async onClose(): Promise<void> {
    this.state = 'closed';
    clearInterval(this.watch);
    await this.client.close();
  }

  private configurationInstalled(config: SdkConfig, previous: SdkConfig | null): void {
    if (this.state === 'not-ready' || this.state === 'closed') return;
    if (this.state !== 'ready') {
      this.state = 'ready';
      this.events.emit(ProviderEvents.Ready, { message: `Configuration ${config.version} installed` });
    }
    if (previous) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: flagsChanged(previous, config), metadata: { configVersion: config.version } });
  }

  /** Stale when the server has been silent for too long; Ready again once it is heard from. */
  private checkFreshness(): void {
    if (this.state !== 'ready' && this.state !== 'stale') return;
    const silentFor = Date.now() - (this.client.lastContactAt() ?? this.startedAt);
    if (this.state === 'ready' && silentFor > this.staleAfterMs) {
      this.state = 'stale';
      this.events.emit(ProviderEvents.Stale, { message: `Uplift not heard from for ${Math.round(silentFor / 1000)} s: serving configuration ${this.client.configuration()?.version}` });
    } else if (this.state === 'stale' && silentFor <= this.staleAfterMs) {
      this.state = 'ready';
      this.events.emit(ProviderEvents.Ready, { message: 'Uplift heard from again' });
    }
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context));
  }

  resolveObjectEvaluation<T extends OpenFeatureJson>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue as JsonValue, context) as ResolutionDetails<T>);
  }

  private resolve<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T> {
    const user = userFromFlatContext(asJson(context));
    if (isContextProblem(user)) return { value: defaultValue, reason: 'ERROR', errorCode: user.errorCode as ErrorCode, errorMessage: user.errorDetails };
    const result = this.client.flag(user, flagKey, defaultValue);
    const config = this.client.configuration();
    if (result.errorCode) return this.failure(result, config?.version);
    return {
      value: result.value,
      reason: result.reason,
      ...(result.variant !== null ? { variant: result.variant } : {}),
      flagMetadata: flagMetadata(config!.version, result, this.servedBy(config!, user, flagKey)),
    };
  }

  private failure<T extends JsonValue>(result: FlagResult<T>, configVersion: string | undefined): ResolutionDetails<T> {
    return {
      value: result.value,
      reason: 'ERROR',
      errorCode: ERROR_CODES[result.errorCode!] ?? ErrorCode.GENERAL,
      errorMessage: result.errorMessage ?? result.errorCode,
      ...(configVersion !== undefined ? { flagMetadata: { configVersion } } : {}),
    };
  }

  /** The experiment whose variant served the flag, for the metadata; evaluated again only for flags with experiment rules. */
  private servedBy(config: SdkConfig, user: UserContext, flagKey: string) {
    const flag = config.flags.find((candidate) => candidate.key === flagKey);
    if (!flag?.rules.some((rule) => rule.kind === 'EXPERIMENT')) return null;
    return servingAssignment(config, this.client.resolve(user), flagKey);
  }

  /**
   * OpenFeature's tracking: the event goes to `trackEvents` with the context's `targetingKey` as
   * the user, `details.value` as the value and the other details as properties. Batched, never
   * throwing; an event without a targeting key cannot be stored and is reported to `onError`.
   */
  track(trackingEventName: string, context: EvaluationContext, details: TrackingEventDetails): void {
    const userId = context.targetingKey;
    if (typeof userId !== 'string' || userId === '') {
      try {
        this.onError?.(new UpliftError('BAD_USER_INPUT', `Event "${trackingEventName}" not tracked: the context has no targetingKey (the user’s id)`, undefined, 'TARGETING_KEY_MISSING'));
      } catch {
        // An app's error handler must not throw into its tracking call.
      }
      return;
    }
    const { value, ...rest } = details ?? {};
    const properties = asJson(rest) as Record<string, JsonValue>;
    this.client.track({ userId, type: trackingEventName, value: typeof value === 'number' ? value : null, properties: Object.keys(properties).length ? properties : null });
  }
}
