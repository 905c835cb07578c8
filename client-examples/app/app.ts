/**
 * An app's backend using Uplift: `GET /home?userId=&tier=&appVersion=` shows the user's incentive (the payload
 * of their variant of `activity-incentives`), whether the task centre is on, and what the user is
 * entitled to (dark mode, posts a day); `POST /check-in` records the user's check-in and its reward
 * cost. Create its SDK key with create-app-key.ts, then run it against a live Uplift:
 *
 *   UPLIFT_URL=http://127.0.0.1:4000 UPLIFT_SDK_KEY=upl_... npx ts-node client-examples/app/app.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpliftClient, type Resolution } from '@uplift/sdk';

/** Posts a day when Uplift grants no `daily-posts` quota, or cannot say (its database away: `entitlements` null). */
export const DEFAULT_DAILY_POSTS = 3;

/** What the user may use, from the same answer as their variants: entitlements are resolved server-side, with the user's behaviour. */
function entitlementsOf(resolution: Resolution) {
  const value = (key: string) => resolution.entitlements?.find((entitlement) => entitlement.key === key)?.value;
  const dailyPosts = value('daily-posts');
  return { darkMode: value('dark-mode') === true, dailyPosts: typeof dailyPosts === 'number' ? dailyPosts : DEFAULT_DAILY_POSTS };
}

export async function startAppService(options: { upliftUrl: string; sdkKey: string; port?: number }) {
  // Remote mode: resolve logs the exposures. Errors never throw: they answer the defaults with an errorCode.
  const uplift = new UpliftClient({ url: options.upliftUrl, key: options.sdkKey, onError: (error) => console.warn(`uplift: ${error.code} ${error.message}`) });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const userId = url.searchParams.get('userId');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!userId) return send(400, { error: 'userId is required' });
    // What the app knows of the user, for targeting: here its tier and the app's version.
    const user = { id: userId, tier: url.searchParams.get('tier'), attributes: { appVersion: url.searchParams.get('appVersion') } };
    try {
      if (req.method === 'GET' && url.pathname === '/home') {
        const resolution = await uplift.resolve(user);
        const incentive = resolution.experiments.find((e) => e.experimentKey === 'activity-incentives');
        const taskCentre = resolution.flags.find((f) => f.key === 'task-centre');
        return send(200, {
          userId,
          variant: incentive?.variantKey ?? null,
          incentive: incentive?.payload ?? null,
          taskCentre: taskCentre?.value ?? false,
          ...entitlementsOf(resolution),
          errorCode: resolution.errorCode ?? null,
        });
      }
      if (req.method === 'POST' && url.pathname === '/check-in') {
        const resolution = await uplift.resolve(user);
        const payload = resolution.experiments.find((e) => e.experimentKey === 'activity-incentives')?.payload as { rewardAmount?: number } | undefined;
        const reward = payload?.rewardAmount ?? 0;
        const events = [{ userId, type: 'check_in' }, ...(reward > 0 ? [{ userId, type: 'reward_cost', value: reward }] : [])];
        // Queued and sent in batches, with retries; flushed here only so that the example's answer can say it was sent.
        uplift.track(events);
        await uplift.flush();
        return send(200, { reward, tracked: events.length });
      }
      return send(404, { error: 'not found' });
    } catch (error) {
      return send(502, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    uplift,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await uplift.close(); // sends what is still queued
    },
  };
}

if (require.main === module) {
  const { UPLIFT_URL, UPLIFT_SDK_KEY, PORT } = process.env;
  if (!UPLIFT_URL || !UPLIFT_SDK_KEY) throw new Error('set UPLIFT_URL and UPLIFT_SDK_KEY');
  startAppService({ upliftUrl: UPLIFT_URL, sdkKey: UPLIFT_SDK_KEY, port: Number(PORT ?? 3000) }).then(({ url }) => console.log(`app listening on ${url}`));
}
