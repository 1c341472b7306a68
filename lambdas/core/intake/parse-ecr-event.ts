import * as z from 'zod';
import type { ImagePublished } from '../events';
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

/**
 * The `image.published` event of an ECR image: what an `ECR Image Action`
 * push becomes, and what the scheduled reconcile builds from a listed image,
 * so that both paths queue the same event. `pushedAt` is normalized to ISO UTC.
 */
export function ecrImagePublished(
  registry: string,
  repository: string,
  image: { readonly tag?: string | undefined; readonly digest?: string | undefined; readonly pushedAt: string },
  vendorEvent: string,
): ImagePublished {
  return {
    type: 'image.published',
    registry,
    repository,
    ...(image.tag ? { tag: image.tag } : {}),
    ...(image.digest ? { digest: image.digest } : {}),
    pushedAt: new Date(image.pushedAt).toISOString(),
    reportedBy: { host: 'ecr', event: vendorEvent },
  };
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
  const image = { tag: detail['image-tag'], digest: detail['image-digest'], pushedAt: event.time };
  const outcome = accepted(ecrImagePublished(ecrRegistryHost(event.account, event.region), detail['repository-name'], image, 'ECR Image Action'));
  return { eventId: event.id, outcome };
}
