/**
 * An app's backend on OpenFeature, with Uplift as its provider (`@uplift/sdk/openfeature`): flags
 * are evaluated in-process from a configuration the provider keeps current over Uplift's live
 * stream, and purchases go to Uplift through OpenFeature's tracking API.
 *
 *   GET  /checkout?userId=&tier=&country=&appVersion=   the checkout's flags for the user
 *   POST /purchase?userId=&amount=                      tracks a purchase (value: the amount)
 *
 * Run it against a live Uplift with an SDK (server-side) key:
 *
 *   UPLIFT_URL=http://127.0.0.1:4000 UPLIFT_SDK_KEY=upl_... npx ts-node client-examples/openfeature/app.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenFeature, ProviderEvents, type EvaluationContext } from '@openfeature/server-sdk';
import { UpliftProvider } from '@uplift/sdk/openfeature';

export async function startOpenFeatureApp(options: { upliftUrl: string; sdkKey: string; port?: number }) {
  const provider = new UpliftProvider({
    url: options.upliftUrl,
    key: options.sdkKey,
    stream: true, // a change made in Uplift reaches the app in well under a second
    onError: (error) => console.warn(`uplift: ${error.code} ${error.message}`),
  });
  // A domain of its own, so that this provider serves this app's clients whatever else is registered.
  await OpenFeature.setProviderAndWait('checkout', provider);
  const flags = OpenFeature.getClient('checkout');
  flags.addHandler(ProviderEvents.ConfigurationChanged, (details) => console.log(`flags changed: ${details?.flagsChanged?.join(', ')}`));
  flags.addHandler(ProviderEvents.Stale, (details) => console.warn(`serving a configuration that may be out of date: ${details?.message}`));

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const userId = url.searchParams.get('userId');
    if (!userId) return send(400, { error: 'userId is required' });
    // OpenFeature's flat context: targetingKey is the user, tier the tier, the rest attributes.
    const context: EvaluationContext = { targetingKey: userId, country: url.searchParams.get('country') ?? '', app: { version: url.searchParams.get('appVersion') ?? '0.0.0' } };
    const tier = url.searchParams.get('tier');
    if (tier) context.tier = tier;
    if (req.method === 'GET' && url.pathname === '/checkout') {
      // Never throws: a flag Uplift cannot answer gives the default written here, with an error code.
      const layout = await flags.getObjectDetails('layout', { columns: 1 }, context);
      return send(200, {
        newCheckout: await flags.getBooleanValue('new-checkout', false, context),
        banner: await flags.getStringValue('banner', 'plain', context),
        maxItems: await flags.getNumberValue('max-items', 10, context),
        layout: layout.value,
        // Set when an experiment's variant chose the layout: what the user is in.
        experiment: layout.flagMetadata.experimentKey ?? null,
      });
    }
    if (req.method === 'POST' && url.pathname === '/purchase') {
      const amount = Number(url.searchParams.get('amount'));
      if (!Number.isFinite(amount) || amount <= 0) return send(400, { error: 'amount must be a positive number' });
      flags.track('purchase', context, { value: amount, currency: 'SGD' });
      // Events are sent in batches; flushed here only so that the example's answer can say it was sent.
      await provider.client.flush();
      return send(200, { tracked: provider.client.stats().events.sent });
    }
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await OpenFeature.close(); // closes the provider, which sends what is still queued
    },
  };
}

if (require.main === module) {
  const { UPLIFT_URL, UPLIFT_SDK_KEY, PORT } = process.env;
  if (!UPLIFT_URL || !UPLIFT_SDK_KEY) throw new Error('set UPLIFT_URL and UPLIFT_SDK_KEY');
  startOpenFeatureApp({ upliftUrl: UPLIFT_URL, sdkKey: UPLIFT_SDK_KEY, port: Number(PORT ?? 3000) }).then(({ url }) => console.log(`app listening on ${url}`));
}
