import * as z from 'zod';
import { type PromotionRequested, PromotionRequestedSchema } from '../events';
import { isImageName, MAX_IMAGE_NAME_LENGTH } from '../image-ref';
import { parseWith } from './intake-outcome';

/**
 * The body CI posts to `POST /promotions`. `image` is the full name without
 * tag or digest (`ghcr.io/team/api`); the other fields are checked with the
 * same rules as the `promotion.requested` event they become, so a refusal
 * names the field the caller sent. Unknown fields are refused, so a typo
 * (`tags`, `value`) is not silently dropped.
 */
export const PromotionRequestBodySchema = z
  .object({
    image: z
      .string()
      .max(MAX_IMAGE_NAME_LENGTH, `expected at most ${MAX_IMAGE_NAME_LENGTH} characters`)
      .refine(isImageName, 'expected an image name registry/repository (lower-case path, no tag or digest), e.g. ghcr.io/team/api')
      .refine((image) => splitImageName(image) !== undefined, 'expected the registry host first (ghcr.io/team/api, docker.io/library/nginx)'),
    tag: PromotionRequestedSchema.shape.tag,
    digest: PromotionRequestedSchema.shape.digest,
    values: PromotionRequestedSchema.shape.values,
    source: PromotionRequestedSchema.shape.source,
  })
  .strict();
export type PromotionRequestBody = z.infer<typeof PromotionRequestBodySchema>;

/**
 * Splits a name into registry and repository the way docker does: the first
 * component is a registry host when it has a `.` or a `:` (a port), is an
 * IPv6 literal, or is `localhost`. A name without one has no registry, and a
 * promotion must say where the image lives.
 */
export function splitImageName(name: string): { registry: string; repository: string } | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0) return undefined;
  const first = name.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first.startsWith('[') || first === 'localhost';
  return isHost ? { registry: first, repository: name.slice(slash + 1) } : undefined;
}

/** Validates a signed request body and turns it into the event it asks for. */
export function parsePromotionRequest(payload: unknown, requestedAt: Date): PromotionRequested {
  const body = parseWith(PromotionRequestBodySchema, payload, 'promotion request');
  // The schema has checked the split; this only narrows the type.
  const name = splitImageName(body.image) ?? { registry: '', repository: body.image };
  return parseWith(
    PromotionRequestedSchema,
    {
      type: 'promotion.requested',
      registry: name.registry,
      repository: name.repository,
      tag: body.tag,
      ...(body.digest === undefined ? {} : { digest: body.digest }),
      values: body.values,
      source: body.source,
      requestedAt: requestedAt.toISOString(),
    },
    'promotion request',
  );
}
