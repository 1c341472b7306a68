import { type EventEnvelope, PromotionRequestedSchema } from '../lambdas/core/events';
import { sitesOf } from '../lambdas/core/promotion/decide-target';
import { type BatchResult, promoteBatch } from '../lambdas/core/promotion/promote-batch';
import { viewOf } from '../lambdas/core/promotion/read-workspace';
import { currentVersionOf } from '../lambdas/core/yaml/image-sites';
import type { CliDeps } from '../lambdas/wiring/cli';
import { UsageError } from './cli-io';
import { targetsIn } from './hold-command';

export interface PromoteRequest {
  readonly service: string;
  readonly environment: string;
  /** The tag to promote. @default the tag of the environment this one follows */
  readonly tag?: string;
  /** The image (`registry/repository`); needed when config names it with a glob. */
  readonly image?: string;
  readonly by: string;
}

/**
 * Promotes a service into one environment now, past its gate (a person
 * decided), through the same planning and providers as the promoter: a
 * commit, or the PR/MR the environment takes (which still waits for its
 * approval). Without --tag, the tag the previous environment runs.
 */
export async function promoteService(
  request: PromoteRequest,
  deps: CliDeps,
): Promise<{ readonly tag: string; readonly image: string; readonly result: BatchResult }> {
  const [target] = targetsIn(request.service, request.environment, deps);
  if (target === undefined) throw new UsageError(`${request.service} has no target in ${request.environment}`);
  const image = request.image ?? (target.image.includes('*') ? undefined : target.image);
  if (image === undefined) throw new UsageError(`${request.service}'s image is a pattern (${target.image}); name it with --image <registry/repository>`);
  const tag = request.tag ?? (await tagOfPrevious(request, target.after, deps));
  const slash = image.indexOf('/');
  const event = PromotionRequestedSchema.safeParse({
    type: 'promotion.requested',
    registry: image.slice(0, slash),
    repository: image.slice(slash + 1),
    tag,
    source: `hoist promote by ${request.by}`,
    environment: request.environment,
    requestedAt: deps.now().toISOString(),
  });
  if (!event.success) throw new UsageError(`--image/--tag: ${event.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const envelope: EventEnvelope = {
    id: `cli:promote-${request.service}-${request.environment}-${tag}#0`,
    host: 'ci',
    deliveryId: `promote-${request.service}-${request.environment}-${tag}`,
    receivedAt: deps.now().toISOString(),
    event: event.data,
  };
  const result = await promoteBatch([envelope], {
    config: deps.config,
    providerFor: deps.providerFor,
    states: deps.states,
    audit: deps.audit,
    log: { warn: () => undefined },
    now: deps.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { tag, image, result };
}

/** The tag the environment before this one runs now, read from its file on its branch. */
async function tagOfPrevious(request: PromoteRequest, after: string | undefined, deps: CliDeps): Promise<string> {
  if (after === undefined) throw new UsageError(`${request.environment} follows no other environment: name the tag with --tag`);
  const [previous] = targetsIn(request.service, after, deps);
  if (previous === undefined) throw new UsageError(`${request.service} has no target in ${after}`);
  const provider = await deps.providerFor(previous.repository);
  const view = await viewOf(provider, previous.repository, previous.branch, previous.mode);
  const text = await provider.readFile(view.commit, previous.file);
  const [site] = text === undefined ? [] : sitesOf(previous, text);
  const tag = site === undefined ? undefined : currentVersionOf(site).tag;
  if (tag === undefined) throw new UsageError(`no tag of ${request.service} found in ${previous.file} (${after}); name one with --tag`);
  return tag;
}
