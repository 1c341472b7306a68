import * as z from 'zod';
import { PushedCommitSchema } from './changed-paths';
import { accepted, type IntakeOutcome, ignored, parseWith } from './intake-outcome';
import { parseCommitStatus, parsePullRequest, parsePush, parseWorkflowRun } from './parse-github-delivery';

/*
 * Shapes follow Gitea's webhook payloads (the structs in its API module,
 * shown on docs.gitea.com "Webhooks"): GitHub-like, with `username`/`login`
 * on users and a `package` event for its package registry.
 */

const RepositorySchema = z.object({ full_name: z.string().min(1) });
const GiteaUserSchema = z.object({ login: z.string().optional(), username: z.string().optional() });

const PushSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  repository: RepositorySchema,
  pusher: GiteaUserSchema.nullish(),
  commits: z.array(PushedCommitSchema).nullish(),
});

const PackageSchema = z.object({
  action: z.string(),
  package: z.object({
    type: z.string(),
    name: z.string(),
    version: z.string(),
    html_url: z.string(),
    created_at: z.string().optional(),
    owner: GiteaUserSchema,
  }),
});

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const nameOf = (user: z.infer<typeof GiteaUserSchema> | null | undefined): string => user?.username ?? user?.login ?? 'unknown';

/** Normalizes one verified Gitea delivery; `eventName` is `X-Gitea-Event`. */
export function parseGiteaDelivery(eventName: string, payload: unknown, receivedAt: Date): IntakeOutcome {
  switch (eventName) {
    case 'push': {
      const push = parseWith(PushSchema, payload, 'Gitea push payload');
      return parsePush('gitea', {
        ref: push.ref,
        before: push.before,
        after: push.after,
        repository: push.repository.full_name,
        author: nameOf(push.pusher),
        commits: push.commits ?? [],
      });
    }
    case 'workflow_run':
      return parseWorkflowRun('gitea', payload);
    case 'status':
      return parseCommitStatus('gitea', payload);
    case 'pull_request':
      return parsePullRequest('gitea', payload);
    case 'package': {
      const body = parseWith(PackageSchema, payload, 'Gitea package payload');
      const pkg = body.package;
      if (body.action !== 'created') return ignored(`package action '${body.action}' is not handled`);
      if (pkg.type !== 'container') return ignored(`package type '${pkg.type}' is not a container image`);
      // Gitea's container registry lives on the instance's own host name.
      const registry = new URL(pkg.html_url).host;
      const isDigest = DIGEST.test(pkg.version);
      const created = pkg.created_at ? new Date(pkg.created_at) : receivedAt;
      return accepted({
        type: 'image.published',
        registry,
        repository: `${nameOf(pkg.owner)}/${pkg.name}`.toLowerCase(),
        ...(isDigest ? { digest: pkg.version } : { tag: pkg.version }),
        pushedAt: (Number.isNaN(created.getTime()) ? receivedAt : created).toISOString(),
        reportedBy: { host: 'gitea', event: 'package' },
      });
    }
    default:
      return ignored(`Gitea event '${eventName}' is not handled`);
  }
}
