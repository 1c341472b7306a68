import type { PromotionConfig } from './config/promotion-config';

/*
 * The narrow interfaces the Slack approval flow talks to, apart from the
 * general ports: Slack's Web API (a bot token) and the one-off `response_url`
 * of an interaction. Implemented in lambdas/clients over fetch.
 */

/** The `slack.app` section of the promotion config, once parsed. */
export type SlackApp = NonNullable<PromotionConfig['slack']['app']>;

/** Who may approve: users by id, and the members of user groups. */
export type SlackApprovers = SlackApp['approvers'];

/** A Slack message: `text` is the notification fallback, `blocks` the Block Kit layout. */
export interface SlackMessageBody {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** Slack's user directory, as far as approvals need it. */
export interface SlackDirectory {
  /** The ids of a user group's members (`usergroups.users.list`). */
  usersOfGroup(groupId: string): Promise<readonly string[]>;
}

/** Answers an interaction through the `response_url` Slack sent with it. */
export interface SlackResponder {
  /** Posts `message` as an ephemeral reply, seen only by the person who clicked; the original message stays. */
  respond(responseUrl: string, message: SlackMessageBody): Promise<void>;
}

/** Where a message landed, to update it later. */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** Posting and updating messages as the bot (`chat.postMessage`, `chat.update`). */
export interface SlackChat {
  postMessage(channel: string, message: SlackMessageBody): Promise<SlackMessageRef>;
  updateMessage(ref: SlackMessageRef, message: SlackMessageBody): Promise<void>;
}
