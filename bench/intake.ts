import { execFile, fork } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import { startDevServer } from '../dev/dev-server';
import { localLambdaContext } from '../dev/lambda-context';
import { toApiGatewayEvent } from '../dev/to-api-gateway-event';
import { EnvWebhookSecrets } from '../lambdas/clients/local/env-webhook-secrets';
import { MemoryDeliveryLedger } from '../lambdas/clients/local/memory-delivery-ledger';
import { createWebhookHandler } from '../lambdas/webhook/create-webhook-handler';
import type { FloorRow } from './end-to-end';
import { quantile } from './stats';

const SECRET = 'bench-secret';
const body = readFileSync('dev/examples/github-push.json', 'utf8');
/** autocannon, run in a child process of this Node: the load comes from another process. */
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Webhook handler latency in-process: signed GitHub push, verify → parse →
 * de-dupe → enqueue, through the Lambda handler. Its floor, timed in turns
 * with it: what any intake of that push must do, JSON.parse of the body and
 * its HMAC check.
 */
export async function benchWebhookHandler(iterations = 3000): Promise<{ floorRow: FloorRow; rows: Array<[string, string]> }> {
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
  const floorSamples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `b-${i}`, 'x-hub-signature-256': signature };
    const event = toApiGatewayEvent('POST', url, headers, Buffer.from(body));
    const start = performance.now();
    const result = await handler(event, localLambdaContext('bench'));
    samples.push(performance.now() - start);
    if (result.statusCode !== 202) throw new Error(`unexpected status ${result.statusCode}`);
    const floorStart = performance.now();
    const parsed = JSON.parse(body) as { ref?: unknown };
    const valid = signatureMatches(signature, body);
    floorSamples.push(performance.now() - floorStart);
    if (!valid || parsed.ref === undefined) throw new Error('the floor did not verify and parse the push');
  }
  if (queued !== iterations) throw new Error(`queued ${queued} of ${iterations}`);
  const warm = samples.slice(100);
  const p50 = quantile(warm, 0.5) * 1000;
  const floorP50 = quantile(floorSamples.slice(100), 0.5) * 1000;
  return {
    floorRow: {
      name: 'webhook handler in-process, signed push, p50',
      value: p50,
      floor: floorP50,
      unit: 'µs',
      ratio: p50 / floorP50,
      note: 'floor: JSON.parse + HMAC check of the same body, timed in turns',
    },
    rows: [['webhook handler p99 (in-process, signed push)', `${quantile(warm, 0.99).toFixed(3)} ms`]],
  };
}

/** What autocannon reports of one run (its `--json` output). */
interface LoadResult {
  readonly requests: { readonly average: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly '2xx': number;
}

/**
 * Signed GitHub pushes from autocannon, in a process of its own, each with a
 * delivery id of its own: requests per second over `seconds`, and the
 * server's CPU time per request (this process runs only the server meanwhile).
 */
async function load(url: string, signature: string, seconds: number, connections: number): Promise<{ rps: number; cpuMicros: number }> {
  const cpu = process.cpuUsage();
  const options = {
    url,
    connections,
    duration: seconds,
    ...signedPushes(signature),
  };
  const out = await runAutocannon(options);
  const used = process.cpuUsage(cpu);
  const result = JSON.parse(out) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { rps: result.requests.average, cpuMicros: (used.user + used.system) / result['2xx'] };
}

/**
 * The floor of HTTP intake: node:http alone, checking the same signature on
 * the raw body (HMAC-SHA256, constant-time compare) and answering 202. With
 * `parseJson`, it also parses the body, as any intake that reads it must.
 */
function bareHandler(parseJson: boolean): RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (parseJson) JSON.parse(raw.toString('utf8'));
      const valid = signatureMatches(String(req.headers['x-hub-signature-256'] ?? ''), raw);
      res.writeHead(valid ? 202 : 401, { 'content-type': 'application/json' });
      res.end(valid ? '{"status":"accepted"}' : '{"error":"signature"}');
    });
  };
}

/** The floors' signature check: HMAC-SHA256 of the body with the bench's secret, compared in constant time. */
function signatureMatches(signature: string, raw: string | Buffer): boolean {
  const given = Buffer.from(signature);
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function listen(handler: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`, server };
}

/**
 * Requests per second the dev server sustains on loopback, signatures
 * checked, against a bare node:http server that checks the same signature,
 * all loaded by autocannon from another process, in turns, the better of
 * `rounds` rounds each. A reference sits between them: the bare server that
 * also parses the JSON body, as any intake that reads it must.
 */
export async function benchDevServer(seconds = 4, connections = 32, rounds = 4): Promise<FloorRow[]> {
  const signature = await sign(SECRET, body);
  const server = await startDevServer({ port: 0, env: { HOIST_WEBHOOK_SECRET_GITHUB: SECRET }, consume: async () => undefined });
  const others = [await listen(bareHandler(false)), await listen(bareHandler(true))];
  const urls = [`${server.url}/webhooks/github`, ...others.map((o) => o.url)];
  const best = urls.map(() => ({ rps: 0, cpuMicros: Number.POSITIVE_INFINITY }));
  try {
    // Warm all up (JIT), then take turns, so that a busy machine weighs on all alike.
    for (const url of urls) await load(url, signature, 1, connections);
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, url] of urls.entries()) {
        const figure = await load(url, signature, seconds, connections);
        const kept = best[index] as { rps: number; cpuMicros: number };
        kept.rps = Math.max(kept.rps, figure.rps);
        kept.cpuMicros = Math.min(kept.cpuMicros, figure.cpuMicros);
      }
    }
    await server.queue.drain();
  } finally {
    await server.close();
    for (const other of others) await new Promise((resolve) => other.server.close(resolve));
  }
  const [dev, floor, json] = best as [(typeof best)[0], (typeof best)[0], (typeof best)[0]];
  const row = (name: string, figure: { rps: number; cpuMicros: number }, note: string): FloorRow => ({
    name,
    value: figure.rps,
    floor: floor.rps,
    unit: 'req/s',
    ratio: figure.rps / floor.rps,
    note: `CPU per request ${figure.cpuMicros.toFixed(0)} µs vs ${floor.cpuMicros.toFixed(0)} µs; ${note}`,
  });
  return [
    row(`dev server intake, signed pushes (autocannon, ${connections} connections, loopback)`, dev, 'floor: node:http + HMAC check'),
    row('dev server intake reference: node:http + HMAC check + JSON.parse', json, 'what any intake that reads the body pays'),
  ];
}

/**
 * The dev server's resident memory as deliveries accumulate: a fresh server in
 * a process of its own (so its RSS is its own), signed pushes from autocannon,
 * each a new delivery, RSS and heap measured after a full GC at each count in
 * `counts` (cumulative). Warm-up ends at `warmUp` deliveries (the delivery
 * ledger holds 50,000 ids, so it is full by then); past it, growth is the
 * least-squares slope over the later counts, so one noisy reading does not
 * make a trend. Flat means nothing per delivery is kept without bound.
 */
export async function benchDevServerMemory(
  counts: readonly number[] = Array.from({ length: 10 }, (_, i) => (i + 1) * 20_000),
  warmUp = 60_000,
): Promise<Array<[string, string]>> {
  const signature = await sign(SECRET, body);
  const child = fork(fileURLToPath(import.meta.url), ['serve-dev-server'], {
    execArgv: [...process.execArgv, '--expose-gc'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  const next = <T>(): Promise<T> => new Promise((resolve) => child.once('message', (message) => resolve(message as T)));
  try {
    const { url } = await next<{ url: string }>();
    const figures: Array<{ deliveries: number; rssMiB: number; heapMiB: number }> = [];
    let sent = 0;
    for (const count of counts) {
      await loadAmount(`${url}/webhooks/github`, signature, count - sent);
      sent = count;
      child.send('measure');
      const { rss, heapUsed } = await next<{ rss: number; heapUsed: number }>();
      figures.push({ deliveries: count, rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20 });
    }
    const warm = figures.filter((f) => f.deliveries >= warmUp);
    const perThousand = (of: (f: (typeof figures)[number]) => number) => `${(slope(warm.map((f) => [f.deliveries / 1000, of(f) * 1024])) || 0).toFixed(1)} KiB`;
    const span = `${warmUp.toLocaleString('en-US')} → ${sent.toLocaleString('en-US')} deliveries`;
    return [
      [
        `dev server RSS / heap after N deliveries (${figures.map((f) => f.deliveries.toLocaleString('en-US')).join(' / ')})`,
        `${figures.map((f) => f.rssMiB.toFixed(0)).join(' / ')} MiB / heap ${figures.map((f) => f.heapMiB.toFixed(1)).join(' / ')} MiB`,
      ],
      [
        `dev server RSS past warm-up, lowest / highest (${span})`,
        `${Math.min(...warm.map((f) => f.rssMiB)).toFixed(0)} / ${Math.max(...warm.map((f) => f.rssMiB)).toFixed(0)} MiB`,
      ],
      [
        `dev server growth past warm-up, RSS / heap per 1,000 deliveries (${span}, least squares)`,
        `${perThousand((f) => f.rssMiB)} / ${perThousand((f) => f.heapMiB)}`,
      ],
    ];
  } finally {
    child.kill();
  }
}

/** The least-squares slope of y over x. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

/** Sends `amount` signed pushes, each with a delivery id of its own, from autocannon in a child process. */
async function loadAmount(url: string, signature: string, amount: number): Promise<void> {
  const options = {
    url,
    connections: 32,
    amount,
    ...signedPushes(signature),
  };
  const out = await runAutocannon(options);
  const result = JSON.parse(out) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
}

// The dev server of benchDevServerMemory, in its own process: answers its URL, then its memory on each 'measure'.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'serve-dev-server') {
  const server = await startDevServer({ port: 0, env: { HOIST_WEBHOOK_SECRET_GITHUB: SECRET }, consume: async () => undefined });
  process.send?.({ url: server.url });
  process.on('message', (message) => {
    if (message !== 'measure') return;
    void server.queue.drain().then(() => {
      // Twice: the first full collection can leave pages the second one gives back.
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send?.({ rss, heapUsed });
    });
  });
}

/** autocannon's API in a child process (its command line would take the JSON body for options of its own); its result as JSON text. */
function runAutocannon(options: Record<string, unknown>): Promise<string> {
  const runner = `const autocannon = require(${JSON.stringify(AUTOCANNON)}); autocannon(JSON.parse(process.argv[1]), (error, result) => { if (error) throw error; process.stdout.write(JSON.stringify(result)); });`;
  return new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', runner, JSON.stringify(options)], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** autocannon request options: signed GitHub pushes, each with a delivery id of its own. */
function signedPushes(signature: string): Record<string, unknown> {
  return {
    method: 'POST',
    idReplacement: true,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': '[<id>]', 'x-hub-signature-256': signature },
    body,
  };
}
