import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sign } from '@octokit/webhooks-methods';
import { startDevServer } from '../dev/dev-server';
import { localLambdaContext } from '../dev/lambda-context';
import { toApiGatewayEvent } from '../dev/to-api-gateway-event';
import { EnvWebhookSecrets } from '../lambdas/clients/local/env-webhook-secrets';
import { MemoryDeliveryLedger } from '../lambdas/clients/local/memory-delivery-ledger';
import { createWebhookHandler } from '../lambdas/webhook/create-webhook-handler';
import { quantile } from './stats';

const SECRET = 'bench-secret';
const body = readFileSync('dev/examples/github-push.json', 'utf8');

/** Webhook handler latency in-process: signed GitHub push, verify → parse → de-dupe → enqueue. */
export async function benchWebhookHandler(iterations = 3000): Promise<Array<[string, string]>> {
  let queued = 0;
  const handler = createWebhookHandler({
    secrets: new EnvWebhookSecrets({ HOIST_WEBHOOK_SECRET_GITHUB: SECRET }, ['github']),
    ledger: new MemoryDeliveryLedger(),
    queue: {
      enqueue: async (envelopes) => {
        queued += envelopes.length;
      },
    },
    log: { warn: () => undefined },
    now: () => new Date(),
    maxBodyBytes: 1024 * 1024,
  });
  const signature = await sign(SECRET, body);
  const url = new URL('https://hoist.example/webhooks/github');
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `b-${i}`, 'x-hub-signature-256': signature };
    const event = toApiGatewayEvent('POST', url, headers, Buffer.from(body));
    const start = performance.now();
    const result = await handler(event, localLambdaContext('bench'));
    samples.push(performance.now() - start);
    if (result.statusCode !== 202) throw new Error(`unexpected status ${result.statusCode}`);
  }
  if (queued !== iterations) throw new Error(`queued ${queued} of ${iterations}`);
  const warm = samples.slice(100);
  return [
    ['webhook handler p50 (in-process, signed push)', `${quantile(warm, 0.5).toFixed(3)} ms`],
    ['webhook handler p99 (in-process, signed push)', `${quantile(warm, 0.99).toFixed(3)} ms`],
  ];
}

/** Requests per second the dev server sustains on loopback, signatures checked. */
export async function benchDevServer(total = 4000, concurrency = 32): Promise<Array<[string, string]>> {
  const server = await startDevServer({ port: 0, env: { HOIST_WEBHOOK_SECRET_GITHUB: SECRET }, consume: async () => undefined });
  const signature = await sign(SECRET, body);
  let next = 0;
  let accepted = 0;
  const start = performance.now();
  async function worker(): Promise<void> {
    while (next < total) {
      const i = next++;
      const res = await fetch(`${server.url}/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `s-${i}`, 'x-hub-signature-256': signature },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 202) accepted += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  await server.queue.drain();
  await server.close();
  if (accepted !== total) throw new Error(`accepted ${accepted} of ${total}`);
  return [[`dev server throughput (${concurrency} concurrent, loopback)`, `${Math.round(total / seconds)} req/s`]];
}
