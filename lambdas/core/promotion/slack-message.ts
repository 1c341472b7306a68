import type { PromotionConfig, RepositoryConfig } from '../config/promotion-config';
import type { ImageUpdate, NoOp } from './plan-promotions';
import type { AppliedChange } from './promote-batch';

/** A link to a commit on the host's web UI, when the URL says which host. */
export function commitLink(repository: RepositoryConfig, sha: string): string | undefined {
  const web = repository.url.replace(/\.git$/, '').replace(/^git@([^:]+):/, 'https://$1/');
  if (!/^https?:\/\//.test(web)) return undefined;
  switch (repository.provider) {
    case 'gitlab':
      return `${web}/-/commit/${sha}`;
    default:
      return `${web}/commit/${sha}`;
  }
}

/** The Slack Block Kit message for one applied change. */
export function promotionMessage(
  applied: AppliedChange,
  repository: RepositoryConfig,
  config: PromotionConfig,
  noops: readonly NoOp[],
): { text: string; blocks: unknown[] } {
  const { change } = applied;
  const lines = change.promotions.map((p) => {
    const hold = p.releasesHold ? ` (past the hold at \`${p.releasesHold}\`)` : '';
    return `*${p.service}* in *${p.environment}*: \`${p.fromTag ?? '-'}\` → \`${p.toTag}\`${hold}, from ${p.source}`;
  });
  const link = applied.pullRequest?.url ?? commitLink(repository, applied.commit);
  const where = applied.pullRequest
    ? `Pull request <${applied.pullRequest.url}|#${applied.pullRequest.number}> on \`${change.branch}\``
    : `Commit ${link ? `<${link}|${applied.commit.slice(0, 8)}>` : `\`${applied.commit.slice(0, 8)}\``} on \`${change.branch}\``;
  const apps = [...new Set(change.promotions.flatMap((p) => p.argocdApplications))];
  const argo = config.argocd.url && apps.length > 0 ? apps.map((a) => `<${config.argocd.url}/applications/${a}|${a}>`).join(', ') : undefined;
  const held = noops.filter((n) => n.held === true).map((n) => `⏸ ${n.environment ?? ''} ${n.image}:${n.tag}: ${n.reason}`);
  const context = [where, ...(argo ? [`Argo CD: ${argo}`] : []), ...applied.refreshFailures.map((f) => `⚠ ${f}`), ...held];
  return {
    text: `Hoist promoted ${change.promotions.map((p) => `${p.service} ${p.toTag} to ${p.environment}`).join(', ')}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) },
    ],
  };
}

/** The message when a batch could not be promoted and needs a person. */
export function failureMessage(updates: readonly ImageUpdate[], reason: string, attempts: number): { text: string; blocks: unknown[] } {
  const images = updates.map((u) => `${u.image}:${u.tag}`).join(', ') || 'queued events';
  const text = `Hoist could not promote ${images} after ${attempts} attempt(s): ${reason}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${text}` } }] };
}

/** The message when a person's revert holds a target back from a redelivered or older image. */
export function heldMessage(held: readonly NoOp[]): { text: string; blocks: unknown[] } {
  const lines = held.map((n) => `⏸ *${n.environment ?? ''}* ${n.image}:${n.tag}: ${n.reason.replace(/^held: /, '')}`);
  return {
    text: `Hoist is holding ${held.length} target(s) where a person reverted`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  };
}
