import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { EnvWebhookSecrets } from '../lambdas/clients/local/env-webhook-secrets';
import { InProcessQueue } from '../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../lambdas/clients/local/memory-delivery-ledger';
import { MemoryPromotionOutcomeStore } from '../lambdas/clients/local/memory-promotion-outcomes';
import type { HoistEvent } from '../lambdas/core/events';
import { reconcileEcr } from '../lambdas/core/intake/reconcile-ecr';
import type { AuditLog, DeliveryLedger, EnvelopeConsumer, PromotionOutcomeStore, RegistryImageLister } from '../lambdas/core/ports';
import type { Work } from '../lambdas/core/promotion/triggers';
import type { SecretChange } from '../lambdas/core/secrets/secret-change';
import type { SecretSyncOutcome } from '../lambdas/core/secrets/sync-secrets';
import type { SlackApp, SlackDirectory, SlackResponder } from '../lambdas/core/slack-ports';
import { parseWebhookSecretText, selectWebhookSecrets } from '../lambdas/core/webhook-secrets';
import { createEcrEventHandler } from '../lambdas/ecr-event/create-ecr-event-handler';
import { createPromotionsHandler } from '../lambdas/promotions/create-promotions-handler';
import { TerminalError } from '../lambdas/shared/errors';
import { errorAnswerOf } from '../lambdas/shared/http-error-response';
import { logger } from '../lambdas/shared/logger';
import { createSlackActionsHandler } from '../lambdas/slack-actions/create-slack-actions-handler';
import { answerWebhook, buildWebhookRequest } from '../lambdas/webhook/answer-webhook';
import { GATEWAY_BODY_LIMIT, readDevSettings } from './dev-settings';
import { localLambdaContext } from './lambda-context';
import { isRefusal, screenMediaType, screenRequest } from './screen-request';
import { flattenHeaders, toApiGatewayEvent } from './to-api-gateway-event';

export interface DevServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Where secrets (`HOIST_WEBHOOK_SECRET_<HOST>`, `HOIST_PROMOTION_SECRET`) and limits are read from, through DevSettingsSchema. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What runs each queued event; by default nothing (every event is logged as it is dequeued). */
  readonly consume?: EnvelopeConsumer;
  /** The GitOps branches of an event, so the in-process queue orders by branch like SQS. */
  readonly workOf?: (event: HoistEvent) => Work;
  readonly now?: () => Date;
  /** Where delivery ids are remembered. @default in memory, forgotten when the server stops */
  readonly ledger?: DeliveryLedger;
  /** What `POST /reconcile` reconciles. @default no repository and no registry: nothing is listed, and the answer says so */
  readonly reconcile?: DevReconcileOptions;
  /** Where the outcomes `GET /promotions/{id}` answers are kept. @default in memory, forgotten when the server stops */
  readonly promotionOutcomes?: PromotionOutcomeStore;
  /** The secrets sync behind `POST /events/secrets` and `POST /reconcile/secrets`. @default none: both answer why not */
  readonly secrets?: DevSecretsSync;
  /** The Slack app behind `POST /slack/actions`. @default none: the route answers 404 and why */
  readonly slackActions?: DevSlackActions;
}

/** What `POST /slack/actions` needs: the app's signing secret, who may decide, and Slack to ask and answer. */
export interface DevSlackActions {
  readonly signingSecret: string;
  readonly app: Pick<SlackApp, 'channel' | 'approvers'>;
  readonly directory: SlackDirectory;
  readonly responder: SlackResponder;
  /** Where refused decisions are recorded. */
  readonly audit?: AuditLog;
}

/** What the secret routes call: the sync core with a secrets file and a Vault. */
export interface DevSecretsSync {
  syncByName(name: string, change: SecretChange['change'], id: string): Promise<SecretSyncOutcome>;
  reconcile(): Promise<SecretSyncOutcome[]>;
}

/** `POST /events/secrets`: a Secrets Manager change to simulate, by secret name. */
const SecretEventSchema = z
  .object({
    secret: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'a Secrets Manager secret name'),
    change: z.enum(['created', 'updated', 'rotated', 'deleted']).default('updated'),
  })
  .strict();

/** The ECR reconcile of the dev server: the same core as the scheduled function, with the registry given. */
export interface DevReconcileOptions {
  /** Image names (`<registry>/<repository>`) to list. */
  readonly repositories: readonly string[];
  /** Where the images are listed. @default none: the dev server has no ECR, so nothing is listed and the answer says so */
  readonly lister?: RegistryImageLister;
  /** Images per repository, newest first. @default 10 */
  readonly newest?: number;
}

/** The dev server's registry when none is given: it holds nothing. */
const NO_REGISTRY: RegistryImageLister = { listTagged: async () => [] };
const NO_REGISTRY_NOTE = 'the dev server has no image registry: nothing was listed (give startDevServer a reconcile.lister)';

export interface DevServer {
  readonly url: string;
  readonly queue: InProcessQueue;
  close(): Promise<void>;
}

/**
 * The local stand-in for the deployed service behind Node's HTTP server, an
 * in-memory delivery ledger and an in-process FIFO queue: the same webhook
 * intake core, ECR, promotions and Slack actions handlers and ECR reconcile
 * as the deployed functions. No AWS account is involved.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const settings = readDevSettings(options.env);
  const now = options.now ?? (() => new Date());
  // The queue logs each event as it is taken off; without a promoter nothing else happens to it.
  const consume: EnvelopeConsumer = options.consume ?? (async () => undefined);
  const queue = new InProcessQueue(consume, {
    onDequeue: (envelope) =>
      logger.info('event dequeued', {
        id: envelope.id,
        type: envelope.event.type,
        ...(envelope.route ? { route: `${envelope.route.repository}:${envelope.route.branch}` } : {}),
      }),
    onDeadLetter: (envelope, error) => logger.error('event dead-lettered', { id: envelope.id, error: String(error) }),
  });
  const ledger = options.ledger ?? new MemoryDeliveryLedger();
  const intake = { ledger, queue, log: logger, now, ...(options.workOf ? { workOf: options.workOf } : {}) };
  const webhooks = {
    ...intake,
    secrets: new EnvWebhookSecrets(options.env, ['github', 'gitlab', 'gitea']),
    maxBodyBytes: settings.HOIST_MAX_BODY_BYTES,
  };
  const ecr = createEcrEventHandler(intake);
  // Read once, like the Lambda function's cached secret; only the document's `default` signs promotions.
  const promotionSecrets = selectWebhookSecrets(parseWebhookSecretText(settings.HOIST_PROMOTION_SECRET), undefined).secrets;
  const promotions = createPromotionsHandler({
    ...intake,
    secrets: { current: async () => promotionSecrets },
    outcomes: options.promotionOutcomes ?? new MemoryPromotionOutcomeStore(),
    maxBodyBytes: settings.HOIST_MAX_BODY_BYTES,
    newId: randomUUID,
  });

  const slack = options.slackActions;
  const slackActions =
    slack === undefined
      ? undefined
      : createSlackActionsHandler({
          ...intake,
          signingSecret: async () => slack.signingSecret,
          app: slack.app,
          directory: slack.directory,
          responder: slack.responder,
          ...(slack.audit ? { audit: slack.audit } : {}),
          maxBodyBytes: settings.HOIST_MAX_BODY_BYTES,
        });

  // Known once the server listens; no request is handled before that.
  let ownHost = '';
  const ownOrigins = new Set<string>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('dev server failure', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = screenRequest(req.url, req.headers, ownOrigins);
    if (isRefusal(target)) {
      send(res, target.status, { error: target.error, reason: target.reason });
      return;
    }
    const method = req.method ?? 'GET';
    const { pathname } = target;
    if (pathname === '/healthz') {
      send(res, 200, { status: 'ok', deadLetters: queue.deadLetters.length });
      return;
    }
    const isWebhook = /^\/webhooks\/[^/]+$/.test(pathname);
    const isEcr = pathname === '/events/ecr' && method === 'POST';
    const isReconcile = pathname === '/reconcile' && method === 'POST';
    const isPromotion = pathname === '/promotions' || pathname.startsWith('/promotions/');
    const isSecretEvent = pathname === '/events/secrets' && method === 'POST';
    const isSecretReconcile = pathname === '/reconcile/secrets' && method === 'POST';
    const isSlackAction = pathname === '/slack/actions';
    if (!isWebhook && !isEcr && !isReconcile && !isPromotion && !isSecretEvent && !isSecretReconcile && !isSlackAction) {
      send(res, 404, { error: 'not found', reason: `no route for ${method} ${pathname}` });
      return;
    }
    if (isSlackAction && slackActions === undefined) {
      send(res, 404, { error: 'not found', reason: 'the promotion config has no slack.app, or its signingSecretEnv and botTokenEnv variables are not set' });
      return;
    }
    // A webhook that is not a POST gets the 405 the Lambda function gives; a GET of an outcome has no body to screen.
    // Slack posts interactions as a form, GitHub may post webhooks as one.
    const allowForm = pathname === '/webhooks/github' || isSlackAction;
    const refusal = method === 'POST' ? screenMediaType(req.headers['content-type'], { allowForm }) : undefined;
    if (refusal !== undefined) {
      send(res, refusal.status, { error: refusal.error, reason: refusal.reason });
      return;
    }
    // Webhooks and promotion requests check the configured limit themselves (and answer 413); the ECR
    // and reconcile routes, which stand in for EventBridge, get it here.
    const limit = isEcr || isReconcile || isSecretEvent || isSecretReconcile ? settings.HOIST_MAX_BODY_BYTES : GATEWAY_BODY_LIMIT;
    const body = await readBody(req, limit);
    if (body === undefined) {
      send(res, 413, { error: 'payload too large', reason: `body exceeds ${limit} bytes` });
      return;
    }
    if (isEcr) {
      await handleEcr(res, body);
      return;
    }
    if (isReconcile) {
      // The scheduled function reads nothing from its event; neither does this route.
      await handleReconcile(res);
      return;
    }
    if (isSecretEvent || isSecretReconcile) {
      await handleSecrets(res, isSecretEvent ? body : undefined);
      return;
    }
    if (isWebhook) {
      await handleWebhook(req, res, method, pathname, body);
      return;
    }
    const event = toApiGatewayEvent(method, { ...target, host: ownHost }, req.headers, body);
    const result =
      isSlackAction && slackActions !== undefined
        ? await slackActions(event, localLambdaContext('hoist-slack-actions'))
        : await promotions(event, localLambdaContext('hoist-promotions'));
    res.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json' });
    res.end(result.body ?? '');
  }

  /**
   * Webhooks, the busiest route, go to the intake core as the Lambda
   * function's do, without being dressed as an API Gateway event first:
   * same request, same answers, same log line.
   */
  async function handleWebhook(req: IncomingMessage, res: ServerResponse, method: string, pathname: string, body: Buffer): Promise<void> {
    try {
      const answer = await answerWebhook(buildWebhookRequest(method, pathname, flattenHeaders(req.headers), body.toString('utf8')), webhooks);
      send(res, answer.status, answer.body);
    } catch (error) {
      sendError(res, error);
    }
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
      sendError(res, error);
    }
  }

  /** EventBridge Scheduler would invoke the reconcile function; here a POST stands in for it. */
  async function handleReconcile(res: ServerResponse): Promise<void> {
    const lister = options.reconcile?.lister;
    const input = {
      repositories: options.reconcile?.repositories ?? [],
      lister: lister ?? NO_REGISTRY,
      ...(options.reconcile?.newest === undefined ? {} : { newest: options.reconcile.newest }),
    };
    try {
      const result = await reconcileEcr(input, intake);
      send(res, 200, { status: 'reconciled', ...result, ...(lister === undefined ? { note: NO_REGISTRY_NOTE } : {}) });
    } catch (error) {
      sendError(res, error);
    }
  }

  /**
   * EventBridge and the secrets queue would run the sync; here it runs at
   * once and the answer says what it did: `synced`, `ignored` (with why) or
   * `failed` (409, with why). An unreachable Vault or Git host is a 502.
   */
  async function handleSecrets(res: ServerResponse, body: Buffer | undefined): Promise<void> {
    const sync = options.secrets;
    if (sync === undefined) {
      send(res, 404, { error: 'not found', reason: 'the promotion config has no secrets: section (or secrets.enabled is false)' });
      return;
    }
    try {
      if (body === undefined) {
        const outcomes = await sync.reconcile();
        send(res, 200, { status: 'reconciled', ...mergeOutcomes(outcomes) });
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(body.toString('utf8'));
      } catch {
        send(res, 400, { error: 'bad request', reason: 'body is not valid JSON' });
        return;
      }
      const parsed = SecretEventSchema.safeParse(raw);
      if (!parsed.success) {
        send(res, 400, { error: 'bad request', reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
        return;
      }
      const outcome = await sync.syncByName(parsed.data.secret, parsed.data.change, `dev:${randomUUID()}`);
      const status = outcome.failures.length > 0 ? 'failed' : outcome.synced.length > 0 ? 'synced' : 'ignored';
      send(res, status === 'failed' ? 409 : 200, { status, ...mergeOutcomes([outcome]) });
    } catch (error) {
      const answer = errorAnswerOf(error);
      // A Vault or Git host that could not be reached: the queue would retry it.
      send(res, answer.status >= 500 ? 502 : answer.status, answer.status >= 500 ? { error: 'bad gateway', reason: (error as Error).message } : answer.body);
    }
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new TerminalError(
              `the dev server cannot listen on ${host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed'}; set PORT`,
            )
          : error,
      );
    server.once('error', refuse);
    server.listen(options.port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ownHost = `${hostLiteral(host)}:${port}`;
  for (const name of LOOPBACK_NAMES.has(host) ? LOOPBACK_NAMES : [host]) ownOrigins.add(`http://${hostLiteral(name)}:${port}`);
  return {
    url: `http://${ownHost}`,
    queue,
    close: () => closeServer(server),
  };
}

/** Outcomes as one answer: names, Vault paths, versions and reasons; never a value. */
function mergeOutcomes(outcomes: readonly SecretSyncOutcome[]) {
  return {
    synced: outcomes.flatMap((o) => o.synced),
    ignored: outcomes.flatMap((o) => o.ignored),
    failures: outcomes.flatMap((o) => o.failures.map((f) => f.reason)),
    manifests: outcomes.flatMap((o) =>
      o.manifests
        ? [
            {
              commit: o.manifests.commit,
              branch: o.manifests.branch,
              files: o.manifests.files,
              ...(o.manifests.pullRequest ? { pullRequest: o.manifests.pullRequest.url } : {}),
            },
          ]
        : [],
    ),
  };
}

/** The names a page served from this machine's loopback could use as its origin. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** A host as it appears in a URL: IPv6 literals in brackets. */
function hostLiteral(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The answer a handler's error means (errorAnswerOf: its status, and its reason when it may be shown). */
function sendError(res: ServerResponse, error: unknown): void {
  const answer = errorAnswerOf(error);
  send(res, answer.status, answer.body);
}

/**
 * Reads the whole body, or answers undefined as soon as it passes `limit`
 * bytes. Stream events rather than an async iterator: one promise per
 * request instead of one per chunk and per read.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        // The rest is read and dropped, so the connection can answer 413.
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
