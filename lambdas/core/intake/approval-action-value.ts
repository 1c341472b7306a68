import * as z from 'zod';
import { ValidationError } from '../../shared/errors';
import { parseWith } from './intake-outcome';

/** The `action_id` of the Approve button of an approval message. */
export const APPROVE_ACTION_ID = 'hoist.approve';
/** The `action_id` of the Reject button of an approval message. */
export const REJECT_ACTION_ID = 'hoist.reject';

/** Slack's limit on a button's `value`. */
export const MAX_ACTION_VALUE_LENGTH = 2000;

/**
 * What an approval button carries: the GitOps repository (its config name),
 * the PR/MR number, and the head commit the message showed.
 */
export const ApprovalActionValueSchema = z
  .object({
    repository: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a repository name of the config'),
    number: z.number().int().positive(),
    head: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a hex commit SHA'),
  })
  .strict();
export type ApprovalActionValue = z.infer<typeof ApprovalActionValueSchema>;

/**
 * The `value` of an Approve or Reject button: compact JSON
 * `{"repository":"gitops","number":42,"head":"<sha>"}`, keys in this order.
 * Throws when the result would not fit in a button.
 */
export function approvalActionValue(value: ApprovalActionValue): string {
  const checked = parseWith(ApprovalActionValueSchema, value, 'approval action value');
  const text = JSON.stringify({ repository: checked.repository, number: checked.number, head: checked.head });
  if (text.length > MAX_ACTION_VALUE_LENGTH)
    throw new ValidationError(`approval action value: ${text.length} characters, Slack allows ${MAX_ACTION_VALUE_LENGTH}`);
  return text;
}

/** Reads a button's `value` back; a ValidationError names the field that is wrong. */
export function parseApprovalActionValue(text: string, what = 'value'): ApprovalActionValue {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${what}: not JSON`, { cause: error });
  }
  return parseWith(ApprovalActionValueSchema, raw, what);
}
