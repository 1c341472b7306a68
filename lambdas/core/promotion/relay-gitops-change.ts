import type { EventEnvelope } from '../events';
import { type AnnounceDeps, notify, refreshApplications } from './announce';
import { gitopsRepositoryOf } from './git-triggers';
import { configuredTargetsOfRepository } from './targets';

/**
 * Relays changes of GitOps repositories that Hoist did not make itself, so
 * Argo CD need not wait for its poll:
 * - a push to a base branch, by anyone: refresh the applications whose
 *   source path holds a changed file (all of the repository's when the host
 *   truncated the list);
 * - a merged Hoist PR/MR: refresh its targets' applications, tell Slack who
 *   merged it, and write an audit record.
 * Returns what could not be refreshed; nothing here is retried by the queue.
 */
export async function relayGitopsChanges(envelopes: readonly EventEnvelope[], deps: AnnounceDeps): Promise<string[]> {
  const failures: string[] = [];
  for (const envelope of envelopes) {
    const event = envelope.event;
    if (event.type !== 'git.push' && event.type !== 'change.merged') continue;
    const repository = gitopsRepositoryOf(deps.config, event.host, event.repository);
    if (repository === undefined) continue;
    const argocd = deps.argocd;
    const warnings: string[] = [];
    const applications = new Set<string>();
    const discover = async (path: string) => {
      if (argocd === undefined) return;
      try {
        for (const app of await argocd.findApplications(repository.url, path)) applications.add(app);
      } catch (error) {
        warnings.push(`could not list Argo CD applications for ${path || repository.name}: ${(error as Error).message}`);
      }
    };
    if (event.type === 'git.push') {
      const dirs = event.changedPathsTruncated ? [''] : [...new Set(event.changedPaths.map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')))];
      // findApplications matches applications by the directory of the path it is given.
      for (const dir of dirs) await discover(dir === '' ? 'x' : `${dir}/x`);
    } else {
      const targets = configuredTargetsOfRepository(deps.config, repository.name).filter((t) => t.branchPattern.test(event.sourceBranch));
      for (const target of targets) {
        if (target.argocdApplications.length > 0) for (const app of target.argocdApplications) applications.add(app);
        else await discover(target.file);
      }
    }
    if (argocd !== undefined) warnings.push(...(await refreshApplications(argocd, [...applications], deps.sleep)));
    failures.push(...warnings);
    await deps.audit.record({
      id: `${event.type === 'git.push' ? 'refreshed' : 'merged'}:${envelope.id}`,
      at: deps.now().toISOString(),
      outcome: event.type === 'git.push' ? 'refreshed' : 'merged',
      repository: repository.name,
      branch: event.type === 'git.push' ? repository.baseBranch : event.targetBranch,
      ...(event.type === 'git.push' ? { commit: event.after } : event.mergeCommitSha ? { commit: event.mergeCommitSha } : {}),
      ...(event.type === 'change.merged' ? { pullRequestUrl: event.url } : {}),
      reasons: [`Argo CD refreshed: ${[...applications].join(', ') || 'none'}`, ...warnings],
      events: [envelope.id],
      durationMs: 0,
    });
    if (event.type === 'change.merged') {
      const targets = configuredTargetsOfRepository(deps.config, repository.name).filter((t) => t.branchPattern.test(event.sourceBranch));
      await notify(deps, undefined, {
        kind: 'merged',
        repository: repository.name,
        number: event.number,
        url: event.url,
        title: event.title,
        mergedBy: event.mergedBy,
        targets: [...new Map(targets.map((t) => [`${t.environment}\u0000${t.service}`, { environment: t.environment, service: t.service }])).values()],
        warnings,
      });
    }
  }
  return failures;
}
