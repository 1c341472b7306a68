import * as z from 'zod';

/**
 * What goes on the secrets queue: which secret changed and how, never its
 * value. The sync reads the value itself, from Secrets Manager, when it
 * handles the message.
 */
export const SecretChangeSchema = z.object({
  type: z.literal('secret.changed'),
  /** Stable across redeliveries: `cloudtrail:<event id>` or `reconcile:<run>:<secret arn>`. */
  id: z.string().min(1).max(512),
  secretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'expected a Secrets Manager secret ARN'),
  name: z.string().min(1).max(512),
  /** The version the change made, where the event says (never a value). */
  versionId: z.string().min(1).max(64).optional(),
  change: z.enum(['created', 'updated', 'rotated', 'deleted', 'reconcile']),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type SecretChange = z.infer<typeof SecretChangeSchema>;
