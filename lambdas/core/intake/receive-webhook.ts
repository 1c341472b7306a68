import { createHash } from 'node:crypto';
import { NotFoundError, PayloadTooLargeError, SignatureError, ValidationError } from '../../shared/errors';
import { type GitHost, GitHostSchema } from '../events';
import type { WebhookSecretStore } from '../ports';
import type { WebhookSecretCandidates, WebhookSecretScope } from '../webhook-secrets';
import { assertDeliveryInScope } from './assert-delivery-in-scope';
import { buildEnvelopes, type EnqueueOnceDeps, enqueueOnce } from './enqueue-once';
import type { IntakeOutcome } from './intake-outcome';
import { parseGiteaDelivery } from './parse-gitea-delivery';
import { parseGitHubDelivery } from './parse-github-delivery';
import { parseGitLabDelivery } from './parse-gitlab-delivery';
import { verifyHmacSha256, verifySharedToken } from './verify-signature';

/** A webhook request as it arrived, with lower-cased header names. */
export interface WebhookRequest {
  /** The last path segment: `github`, `gitlab`, `gitea` (anything else is a 404). */
  readonly host: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, already base64-decoded if the gateway encoded it. */
  readonly body: string;
}

/** The answer to send back: an HTTP status and a JSON body. */
export interface WebhookResponse {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ReceiveWebhookDeps extends EnqueueOnceDeps {
  readonly secrets: WebhookSecretStore;
  readonly now: () => Date;
  readonly maxBodyBytes: number;
}

/** How each host signs, names and numbers its deliveries. */
interface HostProtocol {
  /** Header carrying the signature or token. */
  readonly authHeader: string;
  readonly verify: (secrets: readonly string[], rawBody: string, credential: string) => boolean;
  readonly deliveryId: (headers: WebhookRequest['headers']) => string | undefined;
  readonly parse: (headers: WebhookRequest['headers'], payload: unknown, receivedAt: Date) => IntakeOutcome;
  /**
   * The repository a payload speaks of: it picks a per-repository secret, and
   * a delivery signed with that secret may speak for this repository only.
   */
  readonly repositoryOf: (payload: unknown) => string | undefined;
  /** Where the host keeps its own container images, if that is fixed (see DeliveryClaims). */
  readonly packageRegistries?: readonly string[];
}

const PROTOCOLS: Record<GitHost, HostProtocol> = {
  github: {
    authHeader: 'x-hub-signature-256',
    verify: verifyHmacSha256,
    deliveryId: (h) => h['x-github-delivery'],
    parse: (h, payload, at) => parseGitHubDelivery(requireHeader(h, 'x-github-event'), payload, at),
    // For `package` and `registry_package`, `repository` is the repository the package is linked to.
    repositoryOf: (p) => stringAt(p, ['repository', 'full_name']),
    packageRegistries: ['ghcr.io', 'docker.pkg.github.com'],
  },
  gitlab: {
    authHeader: 'x-gitlab-token',
    verify: (secrets, _body, token) => verifySharedToken(secrets, token),
    // Idempotency-Key stays the same across GitLab's retries of one event.
    deliveryId: (h) => h['idempotency-key'] ?? h['x-gitlab-event-uuid'],
    parse: (h, payload) => parseGitLabDelivery(h['x-gitlab-event'], payload),
    repositoryOf: (p) => stringAt(p, ['project', 'path_with_namespace']),
  },
  gitea: {
    authHeader: 'x-gitea-signature',
    // Gitea sends the bare hex digest; the verifier expects GitHub's prefix.
    verify: (secrets, body, signature) => verifyHmacSha256(secrets, body, `sha256=${signature}`),
    deliveryId: (h) => h['x-gitea-delivery'],
    parse: (h, payload, at) => parseGiteaDelivery(requireHeader(h, 'x-gitea-event'), payload, at),
    // Gitea's package payload has no top-level repository; a linked package names its own.
    repositoryOf: (p) => stringAt(p, ['repository', 'full_name']) ?? stringAt(p, ['package', 'repository', 'full_name']),
  },
};

/**
 * Verifies, parses, de-duplicates and queues one webhook delivery.
 * Order matters: nothing about the payload is reported before the signature
 * has been checked against the raw body.
 */
export async function receiveWebhook(request: WebhookRequest, deps: ReceiveWebhookDeps): Promise<WebhookResponse> {
  const hostResult = GitHostSchema.safeParse(request.host);
  if (!hostResult.success) throw new NotFoundError(`no webhook endpoint for '${request.host}'`);
  const host = hostResult.data;
  const protocol = PROTOCOLS[host];

  const size = Buffer.byteLength(request.body, 'utf8');
  if (size > deps.maxBodyBytes) {
    throw new PayloadTooLargeError(`body of ${size} bytes exceeds the limit of ${deps.maxBodyBytes} bytes`);
  }

  const payloadText = extractPayload(host, request);
  const unverified = tryParseJson(payloadText);
  const claimedRepository = unverified === undefined ? undefined : protocol.repositoryOf(unverified);
  const candidates = await deps.secrets.secretsFor(host, claimedRepository);
  if (candidates === undefined) throw new NotFoundError(`webhooks from ${host} are not configured`);
  const scope = verifyDelivery(protocol, candidates, request);

  if (payloadText === undefined) throw new ValidationError('form body has no payload field');
  if (unverified === undefined) throw new ValidationError('body is not valid JSON');
  const receivedAt = deps.now();
  const outcome = protocol.parse(request.headers, unverified, receivedAt);
  if (outcome.kind === 'ping') return { status: 200, body: { status: 'pong' } };
  if (outcome.kind === 'ignored') return { status: 202, body: { status: 'ignored', ignored: outcome.reason } };
  // Before the delivery id is claimed: a refused delivery stays unseen.
  assertDeliveryInScope(scope, { repository: claimedRepository, packageRegistries: protocol.packageRegistries }, outcome.events);

  const deliveryId = protocol.deliveryId(request.headers) ?? `sha256-${createHash('sha256').update(request.body).digest('hex')}`;
  const { key, envelopes, ignored } = buildEnvelopes(host, deliveryId, receivedAt, outcome.events, deps.workOf);
  if (envelopes.length === 0) return { status: 202, body: { status: 'ignored', ignored: ignored.join('; ') } };
  const result = await enqueueOnce(key, envelopes, receivedAt, deps);
  if (result === 'duplicate') return { status: 200, body: { status: 'duplicate', delivery: deliveryId } };
  return {
    status: 202,
    body: {
      status: 'accepted',
      delivery: deliveryId,
      events: outcome.events.map((e) => e.type),
      queued: envelopes.length,
      ...(ignored.length > 0 ? { ignored: ignored.join('; ') } : {}),
    },
  };
}

/**
 * Checks the delivery's signature or token on the raw body and answers which
 * scope accepted it; throws a SignatureError when none did.
 */
function verifyDelivery(protocol: HostProtocol, candidates: WebhookSecretCandidates, request: WebhookRequest): WebhookSecretScope {
  const credential = request.headers[protocol.authHeader];
  if (credential === undefined || credential === '') throw new SignatureError(`missing ${protocol.authHeader} header`);
  if (!protocol.verify(candidates.secrets, request.body, credential)) {
    throw new SignatureError(`${protocol.authHeader} does not match`);
  }
  return candidates.scope;
}

/** GitHub may post `application/x-www-form-urlencoded` with the JSON in `payload`. */
function extractPayload(host: GitHost, request: WebhookRequest): string | undefined {
  const contentType = request.headers['content-type'] ?? '';
  if (host === 'github' && contentType.startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(request.body).get('payload') ?? undefined;
  }
  return request.body;
}

function tryParseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function requireHeader(headers: WebhookRequest['headers'], name: string): string {
  const value = headers[name];
  if (value === undefined || value === '') throw new ValidationError(`missing ${name} header`);
  return value;
}

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}
