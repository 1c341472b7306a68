import { APPROVE_ACTION_ID, approvalActionValue, REJECT_ACTION_ID } from '../core/intake/approval-action-value';
import { escapeMrkdwn, type SlackMessage } from './slack-blocks';

/** What an approval message shows: one promotion waiting in a PR/MR. */
export interface ApprovalMessageInput {
  readonly service: string;
  readonly environment: string;
  /** The tag running now; undefined for a first deployment. */
  readonly fromTag?: string;
  readonly toTag: string;
  readonly pullRequest: { readonly number: number; readonly url: string };
  /** The GitOps repository's config name. */
  readonly repository: string;
  /** The PR/MR head the approval is for; a later push needs a new approval. */
  readonly head: string;
}

/** The block holding the buttons; the updated message has none. */
export const APPROVAL_ACTIONS_BLOCK_ID = 'hoist.approval';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const button = (actionId: string, text: string, style: 'primary' | 'danger', value: string) => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text, emoji: true },
  style,
  value,
});

/** A URL inside `<url|label>`: the characters that would end the link are percent-encoded. */
const linkUrl = (url: string) => url.replace(/[<>|]/g, (c) => encodeURIComponent(c));

function promotionLine(input: ApprovalMessageInput): string {
  return `*${escapeMrkdwn(input.service)}* to *${escapeMrkdwn(input.environment)}*: \`${escapeMrkdwn(input.fromTag ?? '-')}\` → \`${escapeMrkdwn(input.toTag)}\``;
}

function whereLine(input: ApprovalMessageInput): string {
  return `<${linkUrl(input.pullRequest.url)}|#${input.pullRequest.number}> in \`${escapeMrkdwn(input.repository)}\`, head \`${input.head.slice(0, 8)}\``;
}

/**
 * The message that asks for an approval: the promotion, its PR/MR, and
 * Approve (primary) and Reject (danger) buttons whose `value` is
 * `approvalActionValue({repository, number, head})`.
 */
export function approvalMessageBlocks(input: ApprovalMessageInput): SlackMessage {
  const value = approvalActionValue({ repository: input.repository, number: input.pullRequest.number, head: input.head });
  return {
    text: `Hoist asks to promote ${input.service} ${input.fromTag ?? '-'} -> ${input.toTag} to ${input.environment} (#${input.pullRequest.number})`,
    blocks: [
      section(`Approval needed: ${promotionLine(input)}`),
      context(whereLine(input)),
      {
        type: 'actions',
        block_id: APPROVAL_ACTIONS_BLOCK_ID,
        elements: [button(APPROVE_ACTION_ID, 'Approve', 'primary', value), button(REJECT_ACTION_ID, 'Reject', 'danger', value)],
      },
    ],
  };
}
