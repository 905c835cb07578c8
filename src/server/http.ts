import http from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { DataSource } from 'typeorm';
import { GraphQLError } from 'graphql';
import { buildUpliftSchema } from './schema';
import { introspectionGuard } from './introspection-guard';
import { fieldSuggestionsForKnownCallers } from './field-suggestions';
import { unauthenticatedStatus } from './auth-status';
import { authFailureStatus } from '../auth/auth.errors';
import { requestCostLimit } from './query-cost';
import { persistedQueryHashCheck } from './persisted-query';
import { createErrorFormatter, DomainError, ErrorCode, isDatabaseUnavailable, RETRY_AFTER_SECONDS, serviceUnavailableError, unavailableStatus } from '../common/errors';
import { redactUrl, type Logger } from '../common/logger';
import type { RequestContext } from '../common/context';
import type { Authenticator } from '../auth/authenticator';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { ExposureWriter } from '../events/exposure.writer';
import type { UserStateService } from '../entitlements/user-state.service';
import { createExperimentLoaders, type ExperimentLoaders } from '../experiments/experiment.loaders';
import { createFastPath, refusal } from './fast-path';
import { guardHosts } from './host-check';
import type { Principal } from '../auth/principal';
import { databaseReadiness } from '../db/database';
import { graphiqlLandingPage, graphiqlAssets } from '../graphiql/graphiql';
import type { UpliftMetrics } from '../observability/metrics';
import { metricsEndpoint, requestMetricsPlugin, countingAuthFailures } from '../observability/metrics-http';
import { awaitLocalChangesPlugin, type ChangeBus } from '../common/change-bus';
import { resultsPages } from '../pages/results-pages';
import { webAssets } from '../web/assets';
import { withCors } from './cors';
import { ofrepListener } from '../ofrep/ofrep.http';
import { growthBookFeatures } from '../growthbook/growthbook.http';
import { createConfigStream } from '../stream/config-stream';
import { configEndpoint } from '../stream/config-endpoint';
import { createKeyCheck } from '../auth/key-check';

/** Request bodies above this are refused before parsing (event batches of 5,000 fit well below it). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Limits on what one operation may ask: generous for people and GraphiQL (the standard
 * introspection query is 21 levels deep with its fragments flattened), fatal for abuse.
 * Introspection counts too, since `ofType` nests without end.
 */
const QUERY_LIMITS = {
  maxDepth: { n: 25, ignoreIntrospection: false },
  costLimit: { maxCost: 20_000 },
  maxAliases: { n: 20 },
  maxDirectives: { n: 20 },
  // Counted by graphql-js's parser instead (parseOptions below), which reports GRAPHQL_PARSE_FAILED.
  maxTokens: { enabled: false },
  // Suggestions are shown to callers with a key and hidden from the others by fieldSuggestionsForKnownCallers.
  blockFieldSuggestion: { enabled: false },
};
const MAX_TOKENS = 5_000;

/**
 * A request must arrive whole within 30 s (headers within 10 s), whoever reads its body (the fast
 * path or Express): a client trickling bytes would otherwise hold a connection for Node's 300 s.
 * Connections are checked every second, so a slow request is cut within 31 s.
 */
export const REQUEST_TIMEOUTS = { requestTimeout: 30_000, headersTimeout: 10_000, connectionsCheckingInterval: 1_000 } as const;

export interface HttpServerOptions {
  dataSource: DataSource;
  logger: Logger;
  authenticator: Authenticator;
  snapshots: SnapshotService;
  exposures: ExposureWriter;
  userStates: UserStateService;
  now: () => Date;
  metrics: UpliftMetrics;
  /** A mutation's answer waits until this instance has taken in its changes. */
  changes: ChangeBus;
  /** Which Host headers are served (src/server/host-check.ts). */
  hostCheck: { listenHost: string; allowedHosts: readonly string[] };
  /** Browser origins allowed to call (UPLIFT_CORS_ORIGINS); none: no CORS headers at all. */
  corsOrigins?: readonly string[];
  /** How often the update stream sends a heartbeat (UPLIFT_STREAM_HEARTBEAT_MS). */
  streamHeartbeatMs?: number;
}

export interface HttpServer {
  server: http.Server;
  stop(): Promise<void>;
}

type Exposure = Parameters<ExposureWriter['record']>;

/**
 * One request's exposures, handed to the writer only once the answer is known to carry data.
 * resolve records one: it is kept in fields, and only resolveMany's others in an array.
 */
class HeldExposures {
  private user?: Exposure[0];
  private resolution?: Exposure[1];
  private at?: Exposure[2];
  private more?: Exposure[];

  constructor(private readonly writer: ExposureWriter) {}

  record(user: Exposure[0], resolution: Exposure[1], at: Exposure[2]): void {
    if (this.user === undefined) {
      this.user = user;
      this.resolution = resolution;
      this.at = at;
    } else (this.more ??= []).push([user, resolution, at]);
  }

  commit(): void {
    if (this.user !== undefined) this.writer.record(this.user, this.resolution!, this.at!);
    if (this.more) for (const [user, resolution, at] of this.more) this.writer.record(user, resolution, at);
    this.user = this.resolution = this.at = this.more = undefined;
  }
}

/** A class rather than an object literal with a getter, which cost resolve a closure and a slow object per request. */
class Context implements RequestContext {
  private experimentLoaders?: ExperimentLoaders;
  private heldExposures?: HeldExposures;

  constructor(
    readonly principal: Principal | null,
    readonly dataSource: DataSource,
    readonly logger: Logger,
    readonly snapshots: SnapshotService,
    private readonly exposureWriter: ExposureWriter,
    readonly userStates: UserStateService,
    readonly now: () => Date,
  ) {}

  get exposures(): HeldExposures {
    return (this.heldExposures ??= new HeldExposures(this.exposureWriter));
  }

  commitExposures(): void {
    this.heldExposures?.commit();
  }

  /** Made on first use: resolve, the hot path, never needs them. */
  get loaders(): ExperimentLoaders {
    return (this.experimentLoaders ??= createExperimentLoaders(this.dataSource));
  }
}

/** How long shutdown waits for requests in flight before it closes every connection. */
const STOP_GRACE_MS = 10_000;

/**
 * Stops taking connections and lets the requests in flight finish, closing each keep-alive
 * connection once it is idle; after STOP_GRACE_MS, every connection. Node's own connection
 * tracking: Apollo's drain plugin would add a listener and a closure to every request.
 */
function closeGracefully(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
  });
}

export async function createHttpServer({ dataSource, logger, authenticator, snapshots, exposures, userStates, now, metrics, changes, hostCheck, corsOrigins = [], streamHeartbeatMs }: HttpServerOptions): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  const schema = await buildUpliftSchema();
  const armor = new ApolloArmor(QUERY_LIMITS).protect();
  const formatError = countingAuthFailures(createErrorFormatter(logger), metrics);
  const contextFor = (principal: Principal | null): RequestContext => new Context(principal, dataSource, logger, snapshots, exposures, userStates, now);
  // The plain HTTP endpoints' one key check: the same refusals as /graphql, counted alike.
  const checkKey = createKeyCheck(authenticator, (reason) => metrics.authFailure(reason));
  // The Host check comes before anything reads the request: the fast path and Express behind it.
  const server = http.createServer(
    REQUEST_TIMEOUTS,
    guardHosts(hostCheck, withCors(corsOrigins, ofrepListener({ checkKey, snapshots, exposures, logger, now, next: createFastPath({
      // Its own instance: Apollo wraps every field resolver of the schema it is given, which would
      // stop graphql-jit from reading plain fields inline (it cost resolve 60% of its speed).
      schema: await buildUpliftSchema(),
      validationRules: armor.validationRules,
      maxTokens: MAX_TOKENS,
      maxBodyBytes: MAX_BODY_BYTES,
      authenticate: (authorization) => authenticator.authenticate(authorization),
      contextFor,
      formatError: (error) => formatError(error instanceof GraphQLError ? error.toJSON() : { message: 'Internal server error' }, error),
      fallback: app,
      metrics,
    }) }))),
  );
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: true,
    // main.ts owns shutdown; Apollo's own signal handlers would race it into a second stop() that never returns.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    plugins: [
      ...armor.plugins,
      introspectionGuard,
      fieldSuggestionsForKnownCallers,
      unauthenticatedStatus,
      awaitLocalChangesPlugin(changes),
      requestCostLimit,
      {
        // What the fast path does after execution: exposures count only when the client gets data.
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (response.body.kind === 'single' && response.body.singleResult.data != null) contextValue.commitExposures();
            },
          };
        },
      },
      graphiqlLandingPage(),
      requestMetricsPlugin(metrics),
      {
        // An operation that produced nothing because the database is away answers 503 + Retry-After.
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              if (response.body.kind !== 'single') return;
              if (unavailableStatus(response.body.singleResult.errors, response.body.singleResult.data) === undefined) return;
              response.http.status = 503;
              response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
            },
          };
        },
      },
    ],
    logger,
  });
  await apollo.start();

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, path: redactUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await databaseReadiness(dataSource);
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'not ready', reason: readiness.reason });
  });
  app.get('/metrics', metricsEndpoint(metrics, checkKey));
  app.use('/graphiql', graphiqlAssets());
  app.use(resultsPages());
  app.use('/assets', webAssets());
  app.get('/sdk/v1/config', configEndpoint({ snapshots, checkKey }));
  app.get('/api/features/:key', growthBookFeatures({ snapshots, checkKey }));
  const configStream = createConfigStream({ snapshots, checkKey, heartbeatMs: streamHeartbeatMs });
  app.get('/sdk/v1/stream', (req, res) => configStream.handle(req, res));
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    persistedQueryHashCheck,
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<RequestContext> => {
        try {
          return contextFor(await authenticator.authenticate(req.headers.authorization));
        } catch (error) {
          if (error instanceof DomainError) {
            const status = authFailureStatus(error.code);
            const headers = new HeaderMap(status === 429 ? [['retry-after', '1']] : []);
            throw new GraphQLError(error.message, { originalError: error, extensions: { code: error.code, reason: error.reason, http: { status, headers } } });
          }
          // A key first seen while the database is away cannot be checked: retriable, not a 500.
          if (isDatabaseUnavailable(error)) throw serviceUnavailableError();
          throw error;
        }
      },
    }),
  );
  const handleBodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error?.type === 'entity.too.large') {
      res.status(413).type('json').send(refusal(`Request body larger than ${MAX_BODY_BYTES} bytes`, ErrorCode.BAD_USER_INPUT, 'PAYLOAD_TOO_LARGE'));
    } else if (error?.type === 'entity.parse.failed') {
      res.status(400).type('json').send(refusal('Request body is not valid JSON', ErrorCode.BAD_USER_INPUT, 'INVALID_JSON'));
    } else if (error?.name === 'URIError' && error.status === 400) {
      // A path parameter that is not valid percent-encoding (Express's router refuses to decode it); its text may be a key, so it is not repeated.
      res.status(400).type('json').send(refusal('The address is not valid percent-encoding', ErrorCode.BAD_USER_INPUT, 'MALFORMED_URL'));
    } else {
      logger.error({ err: error }, 'unhandled HTTP error');
      res.status(500).type('json').send(refusal('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR, 'INTERNAL'));
    }
  };
  app.use(handleBodyErrors);

  return {
    server,
    async stop() {
      // Streams first: they never finish on their own, and draining would wait for them.
      configStream.close();
      await closeGracefully(server);
      await apollo.stop();
    },
  };
}
