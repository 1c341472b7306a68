import type { PromotionNotice } from '../core/promotion/promotion-notice';

/** A Slack message: `text` is the notification fallback, `blocks` the Block Kit layout. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly unknown[];
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (lines: readonly string[]) => ({ type: 'context', elements: lines.map((text) => ({ type: 'mrkdwn', text })) });

/**
 * Slack mrkdwn treats `&`, `<` and `>` as control characters; text that
 * comes from Git hosts, registries and files is escaped before it is shown.
 */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders a promotion notice as a Block Kit message. */
export function renderSlackMessage(notice: PromotionNotice): SlackMessage {
  switch (notice.kind) {
    case 'promoted': {
      const lines = notice.promotions.map((p) => {
        const hold = p.releasesHold ? ` (past the hold at \`${escapeMrkdwn(p.releasesHold)}\`)` : '';
        return `*${escapeMrkdwn(p.service)}* in *${escapeMrkdwn(p.environment)}*: \`${escapeMrkdwn(p.fromTag ?? '-')}\` → \`${escapeMrkdwn(p.toTag)}\`${hold}, from ${escapeMrkdwn(p.source)}`;
      });
      const short = notice.commit.slice(0, 8);
      const where = notice.pullRequest
        ? `Pull request <${notice.pullRequest.url}|#${notice.pullRequest.number}> on \`${escapeMrkdwn(notice.branch)}\``
        : `Commit ${notice.commitUrl ? `<${notice.commitUrl}|${short}>` : `\`${short}\``} on \`${escapeMrkdwn(notice.branch)}\``;
      const argocd = notice.argocd
        ? [`Argo CD: ${notice.argocd.applications.map((a) => `<${notice.argocd?.url}/applications/${encodeURIComponent(a)}|${escapeMrkdwn(a)}>`).join(', ')}`]
        : [];
      const held = notice.held.map((n) => `⏸ ${escapeMrkdwn(`${n.environment ?? ''} ${n.image}:${n.tag}: ${n.reason}`)}`);
      return {
        text: `Hoist promoted ${notice.promotions.map((p) => `${p.service} ${p.toTag} to ${p.environment}`).join(', ')}`,
        blocks: [section(lines.join('\n')), context([where, ...argocd, ...notice.warnings.map((w) => `⚠ ${escapeMrkdwn(w)}`), ...held])],
      };
    }
    case 'merged': {
      const where = notice.targets.map((t) => `*${escapeMrkdwn(t.service)}* to *${escapeMrkdwn(t.environment)}*`).join(', ') || 'its targets';
      const text = `Promoted ${notice.targets.map((t) => `${t.service} to ${t.environment}`).join(', ') || notice.title}, merged by ${notice.mergedBy}`;
      return {
        text,
        blocks: [
          section(`Promoted ${where}, merged by ${escapeMrkdwn(notice.mergedBy)}`),
          context([`<${notice.url}|#${notice.number}> ${escapeMrkdwn(notice.title)}`, ...notice.warnings.map((w) => `⚠ ${escapeMrkdwn(w)}`)]),
        ],
      };
    }
    case 'held': {
      const lines = notice.held.map(
        (n) => `⏸ *${escapeMrkdwn(n.environment ?? '')}* ${escapeMrkdwn(`${n.image}:${n.tag}: ${n.reason.replace(/^held: /, '')}`)}`,
      );
      return { text: `Hoist is holding ${notice.held.length} target(s) where a person reverted`, blocks: [section(lines.join('\n'))] };
    }
    case 'failed': {
      const images = notice.images.join(', ') || 'queued events';
      const what = notice.final ? 'needs a person; it will not be retried' : `after ${notice.attempts} attempt(s); it will be retried`;
      const text = `Hoist could not promote ${images} (${what}): ${notice.reason}`;
      return { text, blocks: [section(`:warning: ${escapeMrkdwn(text)}`)] };
    }
    case 'secrets-synced': {
      const lines = notice.secrets.map((s) => {
        const vault =
          s.vault === 'written' ? `version ${s.vaultVersion ?? '?'} written` : s.vault === 'deleted' ? 'latest version soft-deleted' : 'Vault already current';
        const cause = s.cause === 'reconcile' ? ' (drift repaired by the reconcile)' : '';
        return `*${escapeMrkdwn(s.service)}* in *${escapeMrkdwn(s.environment)}*: \`${escapeMrkdwn(s.vaultPath)}\` ${vault}${cause}, from \`${escapeMrkdwn(s.secret)}\``;
      });
      const m = notice.manifests;
      const where =
        m === undefined
          ? []
          : [
              m.pullRequest
                ? `Manifests: pull request <${m.pullRequest.url}|#${m.pullRequest.number}> on \`${escapeMrkdwn(m.branch)}\``
                : `Manifests: commit ${m.commitUrl ? `<${m.commitUrl}|${m.commit.slice(0, 8)}>` : `\`${m.commit.slice(0, 8)}\``} on \`${escapeMrkdwn(m.branch)}\``,
            ];
      return {
        text: `Hoist synced ${notice.secrets.map((s) => `${s.service}/${s.environment}`).join(', ')} secrets`,
        blocks: [
          section(lines.join('\n')),
          ...(where.length + notice.warnings.length > 0 ? [context([...where, ...notice.warnings.map((w) => `⚠ ${escapeMrkdwn(w)}`)])] : []),
        ],
      };
    }
    case 'gate-failed': {
      const text = `Hoist did not promote ${notice.service} ${notice.tag} to ${notice.environment}: ${notice.reason}`;
      return { text, blocks: [section(`:no_entry: ${escapeMrkdwn(text)}`), context([`after ${escapeMrkdwn(notice.after)}`])] };
    }
    case 'gate-frozen': {
      const text = `Hoist holds ${notice.service} ${notice.tag} before ${notice.environment}: ${notice.reason}`;
      return { text, blocks: [section(`:snowflake: ${escapeMrkdwn(text)}`), context([`after ${escapeMrkdwn(notice.after)}`])] };
    }
    case 'secrets-failed': {
      const what = notice.final ? 'needs a person; it will not be retried' : 'it will be retried';
      const text = `Hoist could not sync ${notice.secrets.join(', ') || 'secrets'} (${what}): ${notice.reason}`;
      return { text, blocks: [section(`:warning: ${escapeMrkdwn(text)}`)] };
    }
  }
}
