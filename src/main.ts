import 'reflect-metadata';
import { configFromEnv } from './common/config';
import { startUplift } from './app';

async function main(): Promise<void> {
  const config = configFromEnv();
  const uplift = await startUplift(config);
  const { logger } = uplift;
  logger.info(
    { url: uplift.url, graphiql: `${uplift.url}/graphql`, database: uplift.embedded ? `embedded (${config.dataDir})` : 'DATABASE_URL' },
    'Uplift is ready',
  );
  if (uplift.embedded && uplift.adminKey) {
    // Plain lines for the person at the terminal; the JSON log above is for machines.
    process.stdout.write(`\n  GraphiQL:  ${uplift.url}/graphql\n  Admin key: ${uplift.adminKey}\n\n`);
  } else if (!uplift.adminKey) {
    logger.warn('UPLIFT_ADMIN_KEY is not set: only API keys already in the database can call the API');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    uplift
      .close()
      .then(() => {
        logger.info('shutdown complete');
        process.exit(0);
      })
      .catch((error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Uplift failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
