import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

import { freePort } from './ports';

/** Debian's PostgreSQL 15 server binaries, which CI installs (`.ci/run`). */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';


/**
 * A PostgreSQL server of its own, on a free port and a temporary folder, that a test or a soak
 * script can stop and start again: for outages, which a shared server cannot have. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user.
 */
export class ThrowawayPostgres {
  running = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly asPostgres: boolean,
  ) {}

  /** True when the binaries are there (and, as root, the `postgres` user to run them). */
  static available(): boolean {
    if (!fs.existsSync(path.join(POSTGRES_BIN, 'pg_ctl'))) return false;
    if (process.getuid?.() !== 0) return true;
    return fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith('postgres:'));
  }

  /** initdb on a fresh folder, then start. */
  static async create(): Promise<ThrowawayPostgres> {
    const asPostgres = process.getuid?.() === 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-pg-'));
    if (asPostgres) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const server = new ThrowawayPostgres(dir, await freePort(), asPostgres);
    await server.pg('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    await server.start();
    return server;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const command = path.join(POSTGRES_BIN, binary);
    const [file, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    await run(file, argv, { timeout: 60_000 });
  }

  /** Fsync off: these servers hold throwaway data, and an immediate stop keeps what was committed (it is in the kernel's cache). */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
    this.running = true;
  }

  /** `immediate` is a crash: every connection is cut, nothing is flushed. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', mode, 'stop']);
    this.running = false;
  }

  /** Stops it if running and deletes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
