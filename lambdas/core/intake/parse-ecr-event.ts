import * as z from 'zod';
import { accepted, type IntakeOutcome, ignored, parseWith } from './intake-outcome';

/**
 * The EventBridge event Amazon ECR emits for image actions, as documented in
 * "Amazon ECR events and EventBridge" (detail-type `ECR Image Action`).
 */
export const EcrImageActionEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('ECR Image Action'),
  source: z.literal('aws.ecr'),
  account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  region: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    result: z.string(),
    'action-type': z.string(),
    'repository-name': z.string().min(1),
    'image-digest': z.string().optional(),
    'image-tag': z.string().optional(),
  }),
});
export type EcrImageActionEvent = z.infer<typeof EcrImageActionEventSchema>;

/** The registry host of an account and region, in the right AWS partition. */
export function ecrRegistryHost(account: string, region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}`;
}

/** Normalizes an ECR image action: only successful pushes become events. */
export function parseEcrEvent(input: unknown): { outcome: IntakeOutcome; eventId: string } {
  const event = parseWith(EcrImageActionEventSchema, input, 'ECR event');
  const detail = event.detail;
  if (detail['action-type'] !== 'PUSH') {
    return { eventId: event.id, outcome: ignored(`ECR action '${detail['action-type']}' is not a push`) };
  }
  if (detail.result !== 'SUCCESS') {
    return { eventId: event.id, outcome: ignored(`ECR push result is '${detail.result}', not SUCCESS`) };
  }
  const tag = detail['image-tag'] || undefined;
  const digest = detail['image-digest'] || undefined;
  const outcome = accepted({
    type: 'image.published',
    registry: ecrRegistryHost(event.account, event.region),
    repository: detail['repository-name'],
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    pushedAt: new Date(event.time).toISOString(),
    reportedBy: { host: 'ecr', event: 'ECR Image Action' },
  });
  return { eventId: event.id, outcome };
}
