import * as z from 'zod';
import { type SecretChange, SecretChangeSchema } from '../secrets/secret-change';
import { isSecretArn, secretNameOfArn } from '../secrets/secret-name-of-arn';
import { isSecretInScope, type SecretScope } from '../secrets/secret-scope';
import { parseWith } from './intake-outcome';

/**
 * The EventBridge event of a Secrets Manager call recorded by CloudTrail
 * ("Match AWS Secrets Manager events with Amazon EventBridge"): API calls
 * arrive as `AWS API Call via CloudTrail`, rotation as the service event
 * `AWS Service Event via CloudTrail`. Only the fields Hoist reads are
 * declared; CloudTrail never records a secret value (`secretString` and
 * `secretBinary` are left out of `requestParameters`), and nothing else of
 * the request is kept.
 */
export const SecretsManagerCloudTrailEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.enum(['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail']),
  source: z.literal('aws.secretsmanager'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    eventSource: z.literal('secretsmanager.amazonaws.com'),
    eventName: z.string().min(1),
    eventID: z.string().min(1),
    eventTime: z.iso.datetime({ offset: true }).optional(),
    /** Set when the call failed; such a call changed nothing. */
    errorCode: z.string().optional(),
    requestParameters: z.object({ secretId: z.string().min(1).optional(), name: z.string().min(1).optional() }).nullish(),
    responseElements: z
      .object({
        arn: z.string().min(1).optional(),
        /** What some operations (DeleteSecret among them) sent before February 2024 instead of `arn`. */
        aRN: z.string().min(1).optional(),
        name: z.string().min(1).optional(),
        versionId: z.string().min(1).optional(),
      })
      .nullish(),
    /** Service events (rotation) name the secret by ARN here. */
    additionalEventData: z.object({ SecretId: z.string().min(1).optional() }).nullish(),
  }),
});
export type SecretsManagerCloudTrailEvent = z.infer<typeof SecretsManagerCloudTrailEventSchema>;

/** The calls that change a secret's value or existence, and what each means for the sync. */
const CHANGE_OF_EVENT: Readonly<Record<string, SecretChange['change']>> = {
  CreateSecret: 'created',
  PutSecretValue: 'updated',
  UpdateSecret: 'updated',
  RotationSucceeded: 'rotated',
  DeleteSecret: 'deleted',
};

export type SecretEventOutcome = { readonly kind: 'change'; readonly change: SecretChange } | { readonly kind: 'ignored'; readonly reason: string };

/**
 * Normalizes one CloudTrail-recorded Secrets Manager event into the change
 * the sync queue carries: which secret (ARN and name), which version the
 * call made, and how it changed, never a value. A failed call, another
 * operation, and a secret outside `scope` are ignored with the reason.
 * `id` is `cloudtrail:<eventID>`, the same for every redelivery of the record.
 * Throws a ValidationError naming the path when the event is not of this shape.
 */
export function parseSecretEvent(input: unknown, scope: SecretScope): { readonly eventId: string; readonly outcome: SecretEventOutcome } {
  const event = parseWith(SecretsManagerCloudTrailEventSchema, input, 'Secrets Manager event');
  const detail = event.detail;
  const eventId = `cloudtrail:${detail.eventID}`;
  const ignore = (reason: string) => ({ eventId, outcome: { kind: 'ignored', reason } as const });

  const change = CHANGE_OF_EVENT[detail.eventName];
  if (change === undefined) return ignore(`${detail.eventName} does not change a secret value`);
  if (detail.errorCode !== undefined) return ignore(`${detail.eventName} failed (${detail.errorCode}) and changed nothing`);

  const request = detail.requestParameters ?? {};
  const response = detail.responseElements ?? {};
  const requested = [detail.additionalEventData?.SecretId, request.secretId].find((id) => id !== undefined && isSecretArn(id));
  const secretArn = response.arn ?? response.aRN ?? requested;
  if (secretArn === undefined) return ignore(`${detail.eventName} names no secret ARN`);
  const requestedName = request.name ?? (request.secretId !== undefined && !isSecretArn(request.secretId) ? request.secretId : undefined);
  const name = response.name ?? requestedName ?? secretNameOfArn(secretArn);
  if (name === undefined) return ignore(`${detail.eventName} names no secret`);
  if (!isSecretInScope(name, scope)) return ignore(`secret '${name}' is outside the mapped prefixes and entries`);

  const queued = parseWith(
    SecretChangeSchema,
    {
      type: 'secret.changed',
      id: eventId,
      secretArn,
      name,
      ...(response.versionId === undefined ? {} : { versionId: response.versionId }),
      change,
      occurredAt: detail.eventTime ?? event.time,
    },
    'Secrets Manager event',
  );
  return { eventId, outcome: { kind: 'change', change: queued } };
}
