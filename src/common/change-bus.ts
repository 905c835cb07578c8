import { Client } from 'pg';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { Logger } from './logger';

/** What changed: the running configuration (experiments, layers, holdout, flags) or the API keys. */
export enum ChangeTopic {
  CONFIG = 'config',
  KEYS = 'keys',
}

const CHANNEL = 'uplift_changes';
const PENDING = 'uplift.pendingChanges';

/**
 * Announces a change from inside a mutation's transaction. Other instances hear it through
 * PostgreSQL NOTIFY, which is delivered only if and when the transaction commits; this instance
 * hears it from the commit hook below, which also works on the embedded database (where LISTEN
 * through the socket server delivers nothing).
 */
export async function announceChange(manager: EntityManager, topic: ChangeTopic): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [CHANNEL, topic]);
  const data = manager.queryRunner?.data as Record<string, Set<ChangeTopic>> | undefined;
  if (data) (data[PENDING] ??= new Set()).add(topic);
}

/** A listener may return a promise: the work it starts (a snapshot rebuild) that a mutation's answer waits for. */
type Listener = () => void | Promise<void>;

export class ChangeBus implements EntitySubscriberInterface {
  private readonly listeners = new Map<ChangeTopic, Listener[]>();
  /** What listeners are still doing about this instance's own commits. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private client?: Client;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    /** The database to LISTEN on, or null on the embedded database. */
    private readonly listenUrl: string | null,
    private readonly logger: Logger,
  ) {}

  on(topic: ChangeTopic, listener: Listener): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  async start(): Promise<void> {
    this.dataSource.subscribers.push(this);
    if (this.listenUrl) await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const pending = (event.queryRunner.data as Record<string, Set<ChangeTopic>>)[PENDING];
    if (!pending) return;
    delete (event.queryRunner.data as Record<string, unknown>)[PENDING];
    for (const topic of pending) this.track(this.emit(topic));
  }

  /**
   * Resolves once the listeners have finished with every change this instance committed before
   * the call: after it, the snapshot reflects those changes.
   */
  async settled(): Promise<void> {
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private emit(topic: ChangeTopic): Promise<unknown> {
    // A listener's failure is its own to log (the snapshot keeps the last one); it never fails the mutation.
    return Promise.allSettled((this.listeners.get(topic) ?? []).map((listener) => {
      try {
        return listener();
      } catch (error) {
        return Promise.reject(error);
      }
    }));
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.listenUrl! });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && Object.values(ChangeTopic).includes(message.payload as ChangeTopic)) {
        this.emit(message.payload as ChangeTopic);
      }
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'change listener lost its connection; reconnecting');
      this.reconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  private reconnect(): void {
    if (this.stopped) return;
    this.client = undefined;
    setTimeout(() => {
      // Stopped meanwhile: no new connection that nobody would close.
      if (this.stopped) return;
      this.listen()
        .then(() => {
          if (this.stopped) return void this.client?.end().catch(() => undefined);
          // Whatever was announced while we were deaf: treat everything as changed.
          for (const topic of Object.values(ChangeTopic)) this.emit(topic);
        })
        .catch(() => this.reconnect());
    }, 1_000).unref();
  }
}

/**
 * A mutation's answer is sent only once this instance has rebuilt what the mutation changed, so
 * that a `resolve` sent after it (to the same instance) sees the change. The one place that waits:
 * services only announce.
 */
export function awaitLocalChangesPlugin(bus: ChangeBus): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation === 'mutation') await bus.settled();
        },
      };
    },
  };
}
