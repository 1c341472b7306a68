import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvWebhookSecrets } from '../lambdas/clients/local/env-webhook-secrets';
import { InProcessQueue } from '../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../lambdas/clients/local/memory-delivery-ledger';
import type { HoistEvent, Route } from '../lambdas/core/events';
import { DEFAULT_MAX_BODY_BYTES } from '../lambdas/core/intake/receive-webhook';
import type { EnvelopeConsumer } from '../lambdas/core/ports';
import { createEcrEventHandler } from '../lambdas/ecr-event/create-ecr-event-handler';
import { errorAnswerOf } from '../lambdas/shared/http-error-response';
import { logger } from '../lambdas/shared/logger';
import { createWebhookHandler } from '../lambdas/webhook/create-webhook-handler';
import { localLambdaContext } from './lambda-context';
import { toApiGatewayEvent } from './to-api-gateway-event';

/** API Gateway's own ceiling on a request body; the handler applies the smaller, configured one. */
const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

export interface DevServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Where secrets (`HOIST_WEBHOOK_SECRET_<HOST>`) and limits are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What runs each queued event; by default it is logged. */
  readonly consume?: EnvelopeConsumer;
  /** The GitOps branches of an event, so the in-process queue orders by branch like SQS. */
  readonly routesFor?: (event: HoistEvent) => readonly Route[];
  readonly now?: () => Date;
}

export interface DevServer {
  readonly url: string;
  readonly queue: InProcessQueue;
  close(): Promise<void>;
}

/**
 * The local stand-in for the deployed service: the same webhook and ECR
 * handlers behind Node's HTTP server, an in-memory delivery ledger and an
 * in-process FIFO queue. No AWS account is involved.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const now = options.now ?? (() => new Date());
  const consume: EnvelopeConsumer =
    options.consume ??
    (async (envelope) => {
      logger.info('event queued', { id: envelope.id, event: envelope.event });
    });
  const queue = new InProcessQueue(consume, {
    onDeadLetter: (envelope, error) => logger.error('event dead-lettered', { id: envelope.id, error: String(error) }),
  });
  const ledger = new MemoryDeliveryLedger();
  const maxBodyBytes = Number(options.env.HOIST_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES);
  const intake = { ledger, queue, log: logger, now, ...(options.routesFor ? { routesFor: options.routesFor } : {}) };
  const webhook = createWebhookHandler({
    ...intake,
    secrets: new EnvWebhookSecrets(options.env, ['github', 'gitlab', 'gitea']),
    maxBodyBytes,
  });
  const ecr = createEcrEventHandler(intake);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('dev server failure', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') {
      send(res, 200, { status: 'ok', deadLetters: queue.deadLetters.length });
      return;
    }
    const body = await readBody(req, GATEWAY_BODY_LIMIT);
    if (body === undefined) {
      send(res, 413, { error: 'payload too large', reason: `body exceeds ${GATEWAY_BODY_LIMIT} bytes` });
      return;
    }
    if (url.pathname.startsWith('/webhooks/')) {
      const result = await webhook(toApiGatewayEvent(method, url, req.headers, body), localLambdaContext('hoist-webhook'));
      res.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json' });
      res.end(result.body ?? '');
      return;
    }
    if (url.pathname === '/events/ecr' && method === 'POST') {
      await handleEcr(res, body);
      return;
    }
    send(res, 404, { error: 'not found', reason: `no route for ${method} ${url.pathname}` });
  }

  /** EventBridge would invoke the function directly; here a POST stands in for it. */
  async function handleEcr(res: ServerResponse, body: Buffer): Promise<void> {
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      send(res, 400, { error: 'bad request', reason: 'body is not valid JSON' });
      return;
    }
    try {
      const result = await ecr(event, localLambdaContext('hoist-ecr-event'));
      send(res, result.status === 'duplicate' ? 200 : 202, result);
    } catch (error) {
      const answer = errorAnswerOf(error);
      send(res, answer.status, answer.body);
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queue,
    close: () => closeServer(server),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Reads the whole body, or answers undefined as soon as it passes `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
