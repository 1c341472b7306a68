import type { ApprovalMessages, ApprovalOutcome, ApprovalRequest } from '../core/ports';
import type { SlackChat } from '../core/slack-ports';
import { approvalMessageBlocks } from './slack-approval-blocks';
import { escapeMrkdwn } from './slack-blocks';

/**
 * Approval messages as the Slack app's bot posts them: the request with
 * Approve and Reject buttons in the configured channel, then the same
 * message replaced by the outcome (who, when, the merge commit or why not).
 */
export class SlackApprovalMessages implements ApprovalMessages {
  constructor(
    private readonly chat: SlackChat,
    private readonly channel: string,
  ) {}

  async post(request: ApprovalRequest): Promise<{ readonly channel: string; readonly ts: string }> {
    const [first, ...rest] = request.promotions;
    if (first === undefined) throw new Error(`no promotion waits in #${request.number}`);
    const message = approvalMessageBlocks({
      ...first,
      pullRequest: { number: request.number, url: request.url },
      repository: request.repository,
      head: request.head,
    });
    const others = rest.map((p) => `${p.service} ${p.fromTag ?? '-'} -> ${p.toTag} to ${p.environment}`);
    return this.chat.postMessage(this.channel, {
      text: others.length === 0 ? message.text : `${message.text}; with ${others.join(', ')}`,
      blocks: message.blocks,
    });
  }

  async update(
    message: { readonly channel: string; readonly ts: string },
    request: Pick<ApprovalRequest, 'repository' | 'number'>,
    outcome: ApprovalOutcome,
  ): Promise<void> {
    const what =
      outcome.kind === 'merged'
        ? `:white_check_mark: approved by ${escapeMrkdwn(outcome.by)} at ${escapeMrkdwn(outcome.at)}: merged as \`${outcome.commit.slice(0, 8)}\``
        : outcome.kind === 'closed'
          ? `:x: rejected by ${escapeMrkdwn(outcome.by)} at ${escapeMrkdwn(outcome.at)}: closed`
          : `:warning: ${escapeMrkdwn(outcome.by)} decided at ${escapeMrkdwn(outcome.at)}, not carried out: ${escapeMrkdwn(outcome.reason)}`;
    const text = `${request.repository} #${request.number}: ${what}`;
    // The buttons go: a decided message asks nothing any more.
    await this.chat.updateMessage(message, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  }
}
