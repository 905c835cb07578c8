import {
  compatibleSnapshot,
  compileSnapshot,
  evaluate,
  resolveEntitlements,
  servingAssignment,
  toUserContext,
  userProblem,
  type ConfigSnapshot,
  type EntitlementConfig,
  type JsonValue,
} from '../../src/engine';
import { asUpliftError, UpliftError } from './errors';
import { BatchQueue, DEFAULT_BATCH, type BatchOptions, type QueueStats } from './queue';
import { Transport, type FetchLike } from './transport';
import { operations, type EventWire } from './operations';
import type {
  Entitlement,
  ExperimentResult,
  ExposureInput,
  FlagResult,
  LocalResolution,
  Resolution,
  SdkConfig,
  TrackedEvent,
  Unavailable,
  User,
} from './types';

export interface UpliftOptions {
  /** The server's base address, e.g. `https://uplift.example.com`. */
  url: string;
  /** An `SDK` key on servers; a `CLIENT` key in browsers and mobile apps. */
  key: string;
  /** Per request; default 5,000 ms. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Events (and, in local mode, exposures) are sent in batches: see BatchOptions. */
  batch?: Partial<BatchOptions>;
  /** Told about every failure the app's calls did not see (background sends, refreshes). Never throws into the SDK. */
  onError?: (error: UpliftError) => void;
}

/**
 * Where the last configuration fetched is kept between starts, so that an app restarted while
 * Uplift is away still serves (the last known good configuration). In browsers, localStorage;
 * on servers, a file (examples in docs/app-developer.md). Failures are reported to onError and
 * never stop the client.
 */
export interface ConfigCache {
  load(): SdkConfig | null | undefined | Promise<SdkConfig | null | undefined>;
  save(config: SdkConfig): void | Promise<void>;
}

export interface LocalOptions extends UpliftOptions {
  /**
   * How often the configuration is polled (`GET /sdk/v1/config` with the ETag held: a 304 while
   * unchanged); default 30,000 ms. While the update stream is connected, ten times as rarely.
   * 0: never (call refresh()).
   */
  refreshIntervalMs?: number;
  /** A configuration to start from (server-side rendering, or the last one the app kept), until the first fetch succeeds. */
  bootstrap?: SdkConfig;
  /** Loaded at start when there is no bootstrap; saved each time a new configuration is fetched. */
  cache?: ConfigCache;
  /**
   * Client-side (CLIENT) keys: the one user this client evaluates for (a browser's or a phone's
   * user). The server then sends that user's forced assignments and nobody else's; other users
   * are answered NEEDS_SERVER.
   */
  userId?: string;
  /**
   * Follow the server's live update stream (Server-Sent Events over fetch, the key in a header):
   * a change reaches the client in well under a second. Polling (refreshIntervalMs) slows down
   * while the stream is connected and resumes its pace when it breaks; the stream reconnects
   * with backoff.
   */
  stream?: boolean;
  /** Told each time a configuration of another version is installed (the bootstrap included; `previous` null for the first). Never throws into the SDK. */
  onChange?: (config: SdkConfig, previous: SdkConfig | null) => void;
}

export interface ClientStats {
  events: QueueStats;
  exposures: QueueStats;
}

function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

const NOTHING: Omit<Resolution, 'userId'> = { inHoldout: false, experiments: [], flags: [], entitlements: null };

function failed(userId: string, error: UpliftError): Resolution {
  return { userId, ...NOTHING, errorCode: error.code, errorMessage: error.message };
}

/** The user's problem as the server words it, or null. */
function badUser(user: User): UpliftError | null {
  const problem = user && typeof user === 'object' ? userProblem(user) : { field: 'id', message: 'user must be an object' };
  return problem ? new UpliftError('BAD_USER_INPUT', `user.${problem.field}: ${problem.message}`, undefined, 'INVALID_USER') : null;
}

const kindOf = (value: unknown): string => (value === null || Array.isArray(value) ? 'object' : typeof value);

function flagResult<T extends JsonValue>(resolution: Resolution, key: string, defaultValue: T): FlagResult<T> {
  if (resolution.errorCode) return { key, value: defaultValue, variant: null, reason: 'ERROR', errorCode: resolution.errorCode, errorMessage: resolution.errorMessage };
  const flag = resolution.flags.find((f) => f.key === key);
  if (!flag) return { key, value: defaultValue, variant: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: `No flag "${key}"` };
  if (flag.errorCode) return { key, value: defaultValue, variant: flag.variant, reason: 'ERROR', errorCode: flag.errorCode };
  if (kindOf(flag.value) !== kindOf(defaultValue)) {
    return { key, value: defaultValue, variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH', errorMessage: `Flag "${key}" is a ${kindOf(flag.value)}, the default a ${kindOf(defaultValue)}` };
  }
  return { key, value: flag.value as T, variant: flag.variant, reason: flag.reason };
}

function experimentResult(resolution: Resolution, key: string): ExperimentResult {
  if (resolution.errorCode) return { experimentKey: key, variantKey: null, payload: null, reason: 'ERROR', errorCode: resolution.errorCode, errorMessage: resolution.errorMessage };
  const assignment = resolution.experiments.find((e) => e.experimentKey === key);
  if (!assignment) return { experimentKey: key, variantKey: null, payload: null, reason: 'DEFAULT' };
  return { experimentKey: key, variantKey: assignment.variantKey, payload: assignment.payload, reason: assignment.reason };
}

/** What both modes share: the transport and the event queue. */
abstract class BaseClient {
  protected readonly transport: Transport;
  protected readonly events: BatchQueue<EventWire>;
  protected readonly reportError: (error: UpliftError) => void;
  protected closed = false;

  constructor(options: UpliftOptions) {
    this.transport = new Transport({ url: options.url, key: options.key, timeoutMs: options.timeoutMs ?? 5_000, fetch: options.fetch });
    this.reportError = (error) => {
      try {
        options.onError?.(error);
      } catch {
        // An app's error handler must not break the SDK's background work.
      }
    };
    const batch = { ...DEFAULT_BATCH, ...options.batch };
    this.events = new BatchQueue<EventWire>(
      async (events) => ({ rejected: (await operations.trackEvents(this.transport, events)).rejected.length }),
      { ...batch, maxBatchSize: Math.min(batch.maxBatchSize, 5_000) },
      this.reportError,
    );
  }

  /** Queues events for sending; never waits, never throws. Each gets an id now, so that retries are harmless. */
  track(events: TrackedEvent | TrackedEvent[]): void {
    const list = Array.isArray(events) ? events : [events];
    const now = new Date().toISOString();
    this.events.push(
      list.map((event) => ({
        id: event.id ?? randomId(),
        userId: event.userId,
        type: event.type,
        value: event.value ?? null,
        properties: event.properties ?? null,
        occurredAt: event.occurredAt instanceof Date ? event.occurredAt.toISOString() : (event.occurredAt ?? now),
      })),
    );
  }

  /** Sends what is queued now. */
  async flush(): Promise<void> {
    await this.events.flush();
  }

  /** Sends what is queued and stops; later calls answer CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    await this.events.close();
  }
}

/**
 * Remote mode: every answer comes from the server's `resolve`, which also logs the exposures of
 * the experiments it assigns. Nothing throws: a failure answers the defaults with an error code.
 */
export class UpliftClient extends BaseClient {
  stats(): Pick<ClientStats, 'events'> {
    return { events: this.events.stats() };
  }

  async resolve(user: User): Promise<Resolution> {
    const refused = this.closed ? new UpliftError('CLOSED', 'The client was closed') : badUser(user);
    if (refused) return failed(user?.id, refused);
    try {
      return await operations.resolve(this.transport, user);
    } catch (error) {
      return failed(user.id, asUpliftError(error));
    }
  }

  /** Up to 1,000 users in one round trip, in order. */
  async resolveMany(users: User[]): Promise<Resolution[]> {
    if (this.closed) return users.map((user) => failed(user?.id, new UpliftError('CLOSED', 'The client was closed')));
    const refusals = users.map(badUser);
    const valid = users.filter((_, i) => refusals[i] === null);
    let answers: Resolution[];
    try {
      answers = valid.length ? await operations.resolveMany(this.transport, valid) : [];
    } catch (error) {
      const uplift = asUpliftError(error);
      return users.map((user, i) => failed(user?.id, refusals[i] ?? uplift));
    }
    let next = 0;
    return users.map((user, i) => (refusals[i] ? failed(user?.id, refusals[i]!) : answers[next++]));
  }

  async flag<T extends JsonValue>(user: User, key: string, defaultValue: T): Promise<FlagResult<T>> {
    return flagResult(await this.resolve(user), key, defaultValue);
  }

  async experiment(user: User, key: string): Promise<ExperimentResult> {
    return experimentResult(await this.resolve(user), key);
  }
}

/** While the update stream is connected, polls are this many times as rare: a safety net for a lost event. */
const STREAM_POLL_FACTOR = 10;
/** The server sends something at least every 25 s; a stream silent for longer than two of those is not counted on. */
const STREAM_SILENCE_MS = 60_000;

interface Installed {
  config: SdkConfig;
  /** What evaluate() runs on: the configuration without what this engine cannot evaluate. */
  snapshot: ConfigSnapshot;
  unsupported: Unavailable[];
  entitlements: { config: EntitlementConfig; needsServer: Map<string, string> } | null;
}

/** Entitlements local mode can decide, and for the others why only the server can. */
function installEntitlements(section: SdkConfig['entitlements']): Installed['entitlements'] {
  if (!section) return null;
  const needsServer = new Map<string, string>();
  const byFacts = new Set<string>();
  for (const rule of section.rules) {
    if (rule.behaviour.length > 0) for (const entitlement of rule.entitlements) byFacts.add(entitlement.key);
  }
  for (const entry of section.catalogue) {
    if (section.hasUserGrants) needsServer.set(entry.key, 'per-user grants exist, and only the server reads them');
    else if (byFacts.has(entry.key)) needsServer.set(entry.key, 'a rule on it needs the user’s behaviour, which only the server reads');
  }
  return {
    config: { catalogue: section.catalogue, rules: section.rules.filter((rule) => rule.behaviour.length === 0), hasUserGrants: false, userGrantsVersion: '' },
    needsServer,
  };
}

/**
 * What the SDK reads of a configuration before installing it; installing checks the rest
 * (compatibleSnapshot, compileSnapshot). A body of another shape is refused, never taken for an
 * unchanged configuration.
 */
function isSdkConfig(value: unknown): value is SdkConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { version, experiments, flags } = value as Record<string, unknown>;
  return typeof version === 'string' && Array.isArray(experiments) && Array.isArray(flags);
}

/**
 * Local mode: the configuration is fetched (and polled, or followed) from `GET /sdk/v1/config`,
 * the body `sdkConfig` gives, and every answer is
 * computed in-process by the server's own engine (bundled from its source), so it is what
 * `resolve` would say for the same configuration. Answers are synchronous. Exposures are logged
 * when the app reads an experiment's variant or a flag served by one, never by `resolve`.
 */
export class LocalUpliftClient extends BaseClient {
  private installed: Installed | null = null;
  private readonly exposures: BatchQueue<ExposureInput>;
  /** Exposures already queued, as `experiment:phase:user`: the server keeps only the first anyway. */
  private readonly exposed = new Set<string>();
  private readonly userId: string | undefined;
  private readonly cache: ConfigCache | undefined;
  private readonly configPath: string;
  private readonly refreshIntervalMs: number;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** Settles once the first fetch succeeded or will not be retried, and the cache was read. */
  private readonly started: Promise<void>;
  private readonly firstInstall: Promise<void>;
  private onFirstInstall: () => void = () => undefined;
  /** The ETag of the fetched configuration installed, sent back as If-None-Match. */
  private etag: string | undefined;
  private lastFetchAt = 0;
  private fetching: Promise<UpliftError | null> | undefined;
  private fetchAgain = false;
  private readonly onChange: LocalOptions['onChange'];
  /** When a fetch was last answered (a configuration, or 304: the one held is current). */
  private lastAnsweredAt = 0;

  constructor(options: LocalOptions) {
    super(options);
    this.userId = options.userId;
    this.cache = options.cache;
    this.configPath = `/sdk/v1/config${options.userId === undefined ? '' : `?userId=${encodeURIComponent(options.userId)}`}`;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
    this.onChange = options.onChange;
    const batch = { ...DEFAULT_BATCH, ...options.batch };
    this.exposures = new BatchQueue<ExposureInput>(
      async (exposures) => ({ rejected: (await operations.trackExposures(this.transport, exposures)).rejected.length }),
      { ...batch, maxBatchSize: Math.min(batch.maxBatchSize, 5_000) },
      this.reportError,
    );
    this.firstInstall = new Promise<void>((resolve) => (this.onFirstInstall = resolve));
    if (options.bootstrap) this.install(options.bootstrap);
    this.started = this.start(!options.bootstrap && this.cache !== undefined);
    if (options.stream) void this.follow(0);
    if (this.refreshIntervalMs > 0) {
      this.refreshTimer = setInterval(() => this.poll(), this.refreshIntervalMs);
      (this.refreshTimer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * The first fetch, retried with jittered backoff (up to the polling interval) while the server
   * is unreachable or restarting; the cache is read meanwhile, and a fetched configuration wins.
   */
  private async start(readCache: boolean): Promise<void> {
    const cached = readCache ? this.loadCache() : undefined;
    for (let attempt = 0; !this.closed; attempt++) {
      const error = await this.fetchConfig();
      if (!error || !error.retriable || this.refreshIntervalMs === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.random() * Math.min(this.refreshIntervalMs, 30_000, 500 * 2 ** attempt));
        (timer as { unref?: () => void }).unref?.();
      });
    }
    await cached;
  }

  private async loadCache(): Promise<void> {
    let config: SdkConfig | null | undefined;
    try {
      config = await this.cache!.load();
    } catch (error) {
      return this.reportError(new UpliftError('CACHE_ERROR', `Could not load the cached configuration: ${error instanceof Error ? error.message : String(error)}`));
    }
    // Kept for another client-side user (or by a server-side key): not this client's to serve.
    if (!config || typeof config !== 'object' || config.forcedAssignmentsOf !== this.userId) return;
    if (!this.installed) this.install(config);
  }

  private async saveCache(config: SdkConfig): Promise<void> {
    try {
      await this.cache?.save(config);
    } catch (error) {
      this.reportError(new UpliftError('CACHE_ERROR', `Could not save the configuration: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  /** A poll, skipped while the update stream is healthy unless ten intervals passed since the last fetch. */
  private poll(): void {
    if (this.streamHealthy() && Date.now() - this.lastFetchAt < this.refreshIntervalMs * STREAM_POLL_FACTOR) return;
    void this.fetchConfig();
  }

  private streamAbort: AbortController | undefined;
  private lastEventId: string | undefined;
  private streamConnected = false;
  private streamHeardAt = 0;

  /** Connected, and heard from lately: the server sends something at least every 25 s. */
  private streamHealthy(): boolean {
    return this.streamConnected && Date.now() - this.streamHeardAt < STREAM_SILENCE_MS;
  }

  /** Reads the update stream until it ends, then reconnects after a jittered backoff. */
  private async follow(attempt: number): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.streamAbort = controller;
    let connected = false;
    try {
      const body = await this.transport.openStream('/sdk/v1/stream', this.lastEventId ? { 'last-event-id': this.lastEventId } : {}, controller.signal);
      connected = this.streamConnected = true;
      this.streamHeardAt = Date.now();
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.streamHeardAt = Date.now();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.onStreamEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (!this.closed) this.reportError(asUpliftError(error));
    }
    this.streamConnected = false;
    if (this.closed) return;
    const next = connected ? 0 : attempt + 1;
    const timer = setTimeout(() => void this.follow(next), Math.random() * Math.min(30_000, 1_000 * 2 ** next));
    (timer as { unref?: () => void }).unref?.();
  }

  private onStreamEvent(frame: string): void {
    let event = 'message';
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
      else if (line.startsWith('id:')) this.lastEventId = line.slice(3).trim();
    }
    if (event !== 'config') return;
    try {
      const { version } = JSON.parse(data) as { version?: string };
      if (version !== undefined && version !== this.installed?.config.version) void this.fetchConfig();
    } catch {
      // A frame this SDK cannot read: polling still brings the configuration.
    }
  }

  /**
   * True once a configuration is in hand (bootstrap, cache or fetched); false when none arrived
   * within `timeoutMs`, or sooner when the server refused the key. Never rejects.
   */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.installed) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.started, this.firstInstall, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return this.installed !== null;
  }

  /** When the server was last heard from (a fetch answered, or anything on the update stream, heartbeats included), in ms since the epoch; null if never. */
  lastContactAt(): number | null {
    const at = Math.max(this.lastAnsweredAt, this.streamHeardAt);
    return at > 0 ? at : null;
  }

  /** The configuration in use, e.g. to keep for the next start (bootstrap); null before one arrived. */
  configuration(): SdkConfig | null {
    return this.installed?.config ?? null;
  }

  /** Fetches the configuration now; on failure keeps serving the last one and reports the error. */
  async refresh(): Promise<void> {
    await this.fetchConfig();
  }

  /** One fetch at a time: a call during one asks for another right after it (the change may be newer than its request). */
  private fetchConfig(): Promise<UpliftError | null> {
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      let error: UpliftError | null;
      do {
        this.fetchAgain = false;
        error = await this.fetchOnce();
      } while (this.fetchAgain && !this.closed);
      this.fetching = undefined;
      return error;
    })();
    return this.fetching;
  }

  /** A conditional GET: a 304 keeps the configuration held. The error, reported already, is returned. */
  private async fetchOnce(): Promise<UpliftError | null> {
    if (this.closed) return null;
    this.lastFetchAt = Date.now();
    try {
      const answer = await this.transport.getJson<unknown>(this.configPath, this.etag);
      if (answer === null) {
        this.lastAnsweredAt = Date.now();
        return null;
      }
      const config = answer.value;
      if (!isSdkConfig(config)) throw new UpliftError('INVALID_RESPONSE', 'Uplift answered the configuration with something that is not one');
      if (config.version === this.installed?.config.version || this.install(config)) {
        this.etag = answer.etag ?? undefined;
        this.lastAnsweredAt = Date.now();
      }
      if (this.installed?.config === config) await this.saveCache(config);
      return null;
    } catch (error) {
      const uplift = asUpliftError(error);
      this.reportError(uplift);
      return uplift;
    }
  }

  /** Installs a configuration unless this engine refuses it (reported); true when installed. */
  private install(config: SdkConfig): boolean {
    try {
      const { snapshot, unsupported } = compatibleSnapshot(config);
      compileSnapshot(snapshot); // refuses a corrupt configuration now, not on the app's first read
      const previous = this.installed?.config ?? null;
      this.installed = {
        config,
        snapshot,
        unsupported: [
          ...unsupported.experiments.map((key): Unavailable => ({ kind: 'experiment', key, errorCode: 'UNSUPPORTED_CONFIGURATION', reason: 'uses an operator or rule kind this SDK does not know; not entered' })),
          ...unsupported.flags.map((key): Unavailable => ({ kind: 'flag', key, errorCode: 'UNSUPPORTED_CONFIGURATION', reason: 'uses an operator or rule kind this SDK does not know; the default is served' })),
        ],
        entitlements: installEntitlements(config.entitlements),
      };
      this.onFirstInstall();
      this.tellChange(config, previous);
      return true;
    } catch (error) {
      this.reportError(new UpliftError('INVALID_RESPONSE', `Configuration refused: ${error instanceof Error ? error.message : String(error)}`));
      return false;
    }
  }

  private tellChange(config: SdkConfig, previous: SdkConfig | null): void {
    try {
      this.onChange?.(config, previous);
    } catch {
      // An app's listener must not undo an installed configuration.
    }
  }

  stats(): ClientStats {
    return { events: this.events.stats(), exposures: this.exposures.stats() };
  }

  /** Every experiment and flag for the user, and the entitlements local mode can decide. Logs no exposure. */
  resolve(user: User): LocalResolution {
    const installed = this.installed;
    const version = installed?.config.version ?? null;
    const refused = this.closed
      ? new UpliftError('CLOSED', 'The client was closed')
      : (badUser(user) ?? (installed ? null : new UpliftError('NOT_READY', 'No configuration yet')));
    if (refused) return { ...failed(user?.id, refused), configVersion: version, unavailable: [] };
    const onlyFor = installed!.config.forcedAssignmentsOf;
    if (onlyFor !== undefined && onlyFor !== user.id) {
      // Another user's forced assignments were not sent to this key: their answer could differ from resolve's.
      const error = new UpliftError('NEEDS_SERVER', `This configuration is for user "${onlyFor}" only (a client-side key); ask resolve for others`);
      return { ...failed(user.id, error), configVersion: version, unavailable: [] };
    }
    try {
      return this.evaluateInstalled(installed!, user);
    } catch (error) {
      // The engine refused the user or the configuration: the defaults, never an exception.
      return { ...failed(user.id, asUpliftError(error)), configVersion: version, unavailable: [] };
    }
  }

  private evaluateInstalled(installed: Installed, input: User): LocalResolution {
    const user = toUserContext(input);
    const resolution = evaluate(installed.snapshot, user);
    const flags = [...resolution.flags];
    for (const item of installed.unsupported) {
      if (item.kind === 'flag') {
        const flag = installed.config.flags.find((f) => f.key === item.key);
        flags.push({ key: item.key, value: flag?.defaultValue ?? null, variant: null, reason: 'ERROR', errorCode: 'UNSUPPORTED_CONFIGURATION' });
      }
    }
    const unavailable = [...installed.unsupported];
    let entitlements: Entitlement[] | null = null;
    if (installed.entitlements === null) {
      unavailable.push({ kind: 'entitlements', key: '*', errorCode: 'NEEDS_SERVER', reason: 'this key’s configuration carries no entitlements' });
    } else {
      const { config, needsServer } = installed.entitlements;
      entitlements = resolveEntitlements({ config, user, experiments: resolution.experiments, facts: null, grants: [], now: Date.now() })
        .filter((entitlement) => !needsServer.has(entitlement.key))
        .map((entitlement) => ({ ...entitlement, expiresAt: entitlement.expiresAt?.toISOString() ?? null }));
      for (const [key, reason] of needsServer) unavailable.push({ kind: 'entitlement', key, errorCode: 'NEEDS_SERVER', reason });
    }
    return { ...resolution, flags, entitlements, configVersion: installed.config.version, unavailable };
  }

  /** The user's variant of one experiment; logs the exposure when the user was bucketed into it. */
  experiment(user: User, key: string): ExperimentResult {
    const resolution = this.resolve(user);
    const result = experimentResult(resolution, key);
    if (!result.errorCode && result.reason === 'DEFAULT' && this.installed?.unsupported.some((u) => u.kind === 'experiment' && u.key === key)) {
      return { ...result, errorCode: 'UNSUPPORTED_CONFIGURATION' };
    }
    const assignment = resolution.experiments.find((e) => e.experimentKey === key);
    if (assignment) this.expose(user, assignment);
    return result;
  }

  /** One flag's value, or `defaultValue` with an error code; logs the exposure of the experiment that served it, if one did. */
  flag<T extends JsonValue>(user: User, key: string, defaultValue: T): FlagResult<T> {
    const resolution = this.resolve(user);
    const result = flagResult(resolution, key, defaultValue);
    if (!result.errorCode && this.installed) {
      const assignment = servingAssignment(this.installed.snapshot, resolution, key);
      if (assignment) this.expose(user, assignment);
    }
    return result;
  }

  private expose(user: User, assignment: Resolution['experiments'][number]): void {
    // Forced assignments (QA) are never exposures, as on the server.
    if (assignment.reason !== 'SPLIT') return;
    const id = `${assignment.experimentKey}:${assignment.phase}:${user.id}`;
    if (this.exposed.has(id)) return;
    if (this.exposed.size >= 100_000) this.exposed.clear();
    this.exposed.add(id);
    this.exposures.push([
      { experimentKey: assignment.experimentKey, phase: assignment.phase, variantKey: assignment.variantKey, userId: user.id, tier: user.tier ?? null, exposedAt: new Date().toISOString() },
    ]);
  }

  override async flush(): Promise<void> {
    await Promise.all([this.events.flush(), this.exposures.flush()]);
  }

  override async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.streamAbort?.abort();
    this.closed = true;
    await Promise.all([this.events.close(), this.exposures.close()]);
  }
}
