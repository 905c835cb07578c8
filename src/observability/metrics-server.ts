import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/logger';
import type { UpliftMetrics } from './metrics';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` without a key, on its own port (UPLIFT_METRICS_PORT) and the main port's host, for a
 * scraper that the network already restricts. It serves nothing else: no API, no page.
 */
export async function startMetricsServer(metrics: UpliftMetrics, host: string, port: number, logger: Logger): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: this port serves GET /metrics only\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (error) => {
        logger.error({ err: error }, 'could not collect metrics');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Could not collect metrics\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
