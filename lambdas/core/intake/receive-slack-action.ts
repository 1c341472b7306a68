import * as z from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import type { ApprovalDecided } from '../events';
import type { AuditLog } from '../ports';
import type { SlackApp, SlackDirectory, SlackResponder } from '../slack-ports';
import { APPROVE_ACTION_ID, parseApprovalActionValue, REJECT_ACTION_ID } from './approval-action-value';
import { buildEnvelopes, type EnqueueOnceDeps, enqueueOnce } from './enqueue-once';
import { parseWith } from './intake-outcome';
import { isSlackResponseUrl, SLACK_RESPONSE_URL_PREFIX } from './is-slack-response-url';
import type { WebhookResponse } from './receive-webhook';
import { verifySlackSignature } from './verify-slack-signature';

/** A `POST /slack/actions` request as it arrived, with lower-cased header names. */
export interface SlackActionRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw form body, already base64-decoded if the gateway encoded it. */
  readonly body: string;
}

export interface ReceiveSlackActionDeps extends EnqueueOnceDeps {
  /** The app's signing secret (cached by the caller; never logged). */
  readonly signingSecret: () => Promise<string>;
  /** The channel approval messages are posted to, and who may decide. */
  readonly app: Pick<SlackApp, 'channel' | 'approvers'>;
  /** Members of the approver groups; answers from a cache, since Slack waits only three seconds. */
  readonly directory: SlackDirectory;
  readonly responder: SlackResponder;
  /** Where refused decisions are recorded with who and why. @default not recorded */
  readonly audit?: AuditLog;
  readonly now: () => Date;
  readonly maxBodyBytes: number;
}

/** Every interaction payload has a type; only `block_actions` is read further. */
const InteractionSchema = z.object({ type: z.string() }).loose();
const ActionSchema = z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }).loose();
const ActionsSchema = z.object({ actions: z.array(ActionSchema).default([]) }).loose();

/** Ids and timestamps end up in queue ids and event fields: only what Slack's own look like. */
const DeliveryIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, dots, dashes or underscores');
const ChannelIdSchema = z.string().regex(/^[CDG][A-Z0-9]{2,}$/, 'a Slack channel id');
const MessageTsSchema = z.string().regex(/^\d+\.\d+$/, 'a Slack message ts');

/** The fields of a `block_actions` payload an approval needs (Slack's "block_actions payload" reference). */
const BlockActionsSchema = z
  .object({
    type: z.literal('block_actions'),
    trigger_id: DeliveryIdSchema.optional(),
    user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id'), username: z.string().optional(), name: z.string().optional() }).loose(),
    container: z.object({ channel_id: ChannelIdSchema.optional(), message_ts: MessageTsSchema.optional() }).loose().optional(),
    channel: z.object({ id: ChannelIdSchema }).loose().optional(),
    message: z.object({ ts: MessageTsSchema }).loose().optional(),
    response_url: z
      .string()
      .refine(isSlackResponseUrl, { message: `expected a ${SLACK_RESPONSE_URL_PREFIX}… URL` })
      .optional(),
  })
  .loose();

/**
 * Verifies, reads and queues one click on an approval message's Approve or
 * Reject button. The signature and its timestamp are checked on the raw body
 * before anything is parsed. Anything but a Hoist button is answered
 * `ignored`; a person who may not decide gets an ephemeral refusal through
 * the `response_url` and nothing is queued; a decision is queued once as an
 * `approval.decided` envelope (`slack:<trigger_id>#0@<repository>:<branch>`).
 * Every answer Slack should not show as a failure is a 200, and nothing slow
 * (no merge, no message update) happens before it: Slack waits three seconds.
 */
export async function receiveSlackAction(request: SlackActionRequest, deps: ReceiveSlackActionDeps): Promise<WebhookResponse> {
  const size = Buffer.byteLength(request.body, 'utf8');
  if (size > deps.maxBodyBytes) throw new PayloadTooLargeError(`body of ${size} bytes exceeds the limit of ${deps.maxBodyBytes} bytes`);
  const receivedAt = deps.now();
  verifySlackSignature(await deps.signingSecret(), request.headers, request.body, receivedAt);

  const raw = payloadOf(request.body);
  const { type } = parseWith(InteractionSchema, raw, 'payload');
  if (type !== 'block_actions') return ignoredAnswer(`a ${type} interaction, not a click on a Hoist button`);
  const { actions } = parseWith(ActionsSchema, raw, 'payload');
  const index = actions.findIndex((a) => a.action_id === APPROVE_ACTION_ID || a.action_id === REJECT_ACTION_ID);
  const action = actions[index];
  if (action === undefined) {
    const ids = actions.map((a) => `'${a.action_id}'`).join(', ') || 'no action';
    return ignoredAnswer(`${ids} is not one of Hoist's actions (${APPROVE_ACTION_ID}, ${REJECT_ACTION_ID})`);
  }

  const payload = parseWith(BlockActionsSchema, raw, 'payload');
  if (action.value === undefined) throw new ValidationError(`payload.actions[${index}].value: required`);
  const value = parseApprovalActionValue(action.value, `payload.actions[${index}].value`);
  const deliveryId = payload.trigger_id ?? parseWith(DeliveryIdSchema.optional(), action.action_ts, `payload.actions[${index}].action_ts`);
  if (deliveryId === undefined) throw new ValidationError('payload.trigger_id: required (or the action_ts of the action)');
  const channel = payload.container?.channel_id ?? payload.channel?.id;
  const ts = payload.container?.message_ts ?? payload.message?.ts;
  if (channel === undefined) throw new ValidationError('payload.container.channel_id: required');
  if (ts === undefined) throw new ValidationError('payload.container.message_ts: required');

  const user = payload.user;
  if (channel !== deps.app.channel) {
    return refuse(deps, payload.response_url, `Hoist takes approvals only in <#${deps.app.channel}>; nothing was done.`, `a click in channel ${channel}`);
  }
  if (!(await mayDecide(user.id, deps))) {
    return refuse(
      deps,
      payload.response_url,
      `You are not among the approvers of Hoist promotions, so ${value.repository} #${value.number} was neither merged nor closed.`,
      `user ${user.id} is not an approver`,
    );
  }

  const event: ApprovalDecided = {
    type: 'approval.decided',
    decision: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
    repository: value.repository,
    number: value.number,
    head: value.head,
    user: { id: user.id, name: (user.username ?? user.name ?? user.id).slice(0, 200) },
    message: { channel, ts },
    decidedAt: receivedAt.toISOString(),
  };
  const { key, envelopes, ignored } = buildEnvelopes('slack', deliveryId, receivedAt, [event], deps.workOf);
  if (envelopes.length === 0) return ignoredAnswer(ignored.join('; '));
  const result = await enqueueOnce(key, envelopes, receivedAt, deps);
  return { status: 200, body: { status: result === 'duplicate' ? 'duplicate' : 'accepted', id: key, decision: event.decision } };
}

/** The JSON of the form field `payload`, as Slack posts interactions (`application/x-www-form-urlencoded`). */
function payloadOf(body: string): unknown {
  const text = new URLSearchParams(body).get('payload');
  if (text === null) throw new ValidationError('payload: missing form field');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError('payload: not JSON', { cause: error });
  }
}

/** Listed by id, or a member of a listed group (asked only when the id is not listed). */
async function mayDecide(userId: string, deps: ReceiveSlackActionDeps): Promise<boolean> {
  if (deps.app.approvers.users.includes(userId)) return true;
  const groups = await Promise.all(deps.app.approvers.userGroups.map((group) => deps.directory.usersOfGroup(group)));
  return groups.some((members) => members.includes(userId));
}

/** A refusal the person sees (ephemeral, the approval message left as it is); Slack itself gets a 200. */
async function refuse(deps: ReceiveSlackActionDeps, responseUrl: string | undefined, text: string, reason: string): Promise<WebhookResponse> {
  if (responseUrl === undefined) {
    deps.log.warn('could not tell the person of a refusal: the payload has no response_url', { reason });
  } else {
    try {
      await deps.responder.respond(responseUrl, { text });
    } catch (error) {
      // The refusal stands either way; the error names no URL.
      deps.log.warn('could not tell the person of a refusal', { reason, error: error instanceof Error ? error.message : String(error) });
    }
  }
  // A refusal is part of the record: who tried to decide, and why it did not count.
  await deps.audit
    ?.record({
      id: `slack-refused:${deps.now().toISOString()}:${reason}`,
      at: deps.now().toISOString(),
      outcome: 'failed',
      reasons: [`Slack decision refused: ${reason}`],
      events: [],
      durationMs: 0,
    })
    .catch((error: unknown) => deps.log.warn('audit record not written', { error: error instanceof Error ? error.message : String(error) }));
  return { status: 200, body: { status: 'refused', reason } };
}

function ignoredAnswer(reason: string): WebhookResponse {
  return { status: 200, body: { status: 'ignored', reason } };
}
