import 'reflect-metadata';
import { configFromEnv } from './common/config';
import { startUplift } from './app';

async function main(): Promise<void> {
  const config = configFromEnv();
  // Signals are caught from the first moment: the server listens before startUplift returns, and a
  // SIGTERM arriving then must stop it cleanly, not kill the process by Node's default action.
  let requested: string | null = null;
  let onSignal = (signal: string) => {
    requested ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const uplift = await startUplift(config);
  const { logger } = uplift;
  logger.info(
    { url: uplift.url, graphiql: `${uplift.url}/graphql`, database: uplift.embedded ? `embedded (${config.dataDir})` : 'DATABASE_URL' },
    'Uplift is ready',
  );
  if (uplift.adminKeyGenerated && uplift.adminKey) {
    // Plain lines for the person at the terminal, on stderr (stdout is the JSON log, for machines).
    // The key rides in the URL fragment, which the browser keeps to itself: GraphiQL's sign-in
    // moves it into the tab's session storage. A key given through UPLIFT_ADMIN_KEY is never printed.
    process.stderr.write(`\n  GraphiQL (signed in as admin):  ${uplift.url}/graphql#key=${uplift.adminKey}\n  The admin key is kept in ${config.dataDir}/admin-key\n\n`);
  } else if (uplift.adminKey) {
    process.stderr.write(`\n  GraphiQL:  ${uplift.url}/graphql  (sign in with your UPLIFT_ADMIN_KEY)\n\n`);
  } else {
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
  onSignal = shutdown;
  if (requested) shutdown(requested);
}

main().catch((error) => {
  process.stderr.write(`Uplift failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
