/**
 * How an admin creates the key an app uses: `SDK` for a backend (a secret: keep it on servers),
 * `CLIENT` for a browser page or a mobile app (public: it reads only what one user's evaluation
 * needs). Uplift keeps only the key's hash, so the secret is printed this once.
 *
 *   UPLIFT_URL=http://127.0.0.1:4000 UPLIFT_ADMIN_KEY=upl_... \
 *     npx ts-node --transpile-only client-examples/app/create-app-key.ts checkout-service SDK
 */
import { request } from '../typed-client';
import { CreateAppKeyDocument, type Role } from './operations.generated';

export type AppKeyRole = Extract<Role, 'SDK' | 'CLIENT'>;

/** The new key's secret. The mutation is create-app-key.graphql, sent with an admin key. */
export async function createAppKey(upliftUrl: string, adminKey: string, name: string, role: AppKeyRole): Promise<string> {
  const { createApiKey } = await request(upliftUrl, adminKey, CreateAppKeyDocument, { input: { name, role } });
  return createApiKey.secret;
}

if (require.main === module) {
  const [name, role = 'SDK'] = process.argv.slice(2);
  const { UPLIFT_URL = 'http://127.0.0.1:4000', UPLIFT_ADMIN_KEY } = process.env;
  if (!name || !UPLIFT_ADMIN_KEY || (role !== 'SDK' && role !== 'CLIENT')) {
    console.error('usage: UPLIFT_URL=... UPLIFT_ADMIN_KEY=<admin key> create-app-key.ts <name> [SDK|CLIENT]');
    process.exit(2);
  }
  createAppKey(UPLIFT_URL, UPLIFT_ADMIN_KEY, name, role)
    .then((secret) => console.log(secret))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
