import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgoCdClient } from '../lambdas/clients/argocd-client';
import { MemoryAuditLog, MemoryTargetStateStore } from '../lambdas/clients/local/memory-promotion-stores';
import { slackNotifiers } from '../lambdas/clients/slack-notifier';
import { parsePromotionConfig } from '../lambdas/core/config/parse-promotion-config';
import type { SlackDestination } from '../lambdas/core/config/promotion-config';
import type { HoistEvent, Route } from '../lambdas/core/events';
import type { AuditLog, EnvelopeConsumer, TargetStateStore } from '../lambdas/core/ports';
import { routesFor } from '../lambdas/core/promotion/plan-promotions';
import { promoteBatch } from '../lambdas/core/promotion/promote-batch';
import { providerCache } from '../lambdas/providers/create-provider';
import { logger } from '../lambdas/shared/logger';
import { resolveLocalRepositoryUrls } from './resolve-local-repositories';

export interface LocalPromoterOptions {
  readonly configPath: string;
  /** Local settings: `HOIST_ARGOCD_URL`/`HOIST_ARGOCD_TOKEN`, `HOIST_SLACK_WEBHOOK_URL`, and each repository's `credentials.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What Hoist last wrote per target and the revert holds. @default in memory */
  readonly states?: TargetStateStore;
  /** @default in memory */
  readonly audit?: AuditLog;
}

/**
 * The promotion engine as the dev server runs it: the same promoteBatch as
 * the promoter function, with tokens from environment variables, and state
 * and audit in the stores given (in memory unless told otherwise).
 */
export function createLocalPromoter(options: LocalPromoterOptions): {
  consume: EnvelopeConsumer;
  routesFor: (event: HoistEvent) => Route[];
  audit: AuditLog;
} {
  const config = resolveLocalRepositoryUrls(parsePromotionConfig(readFileSync(options.configPath, 'utf8'), options.configPath), dirname(options.configPath));
  const { env } = options;
  const audit = options.audit ?? new MemoryAuditLog();
  const states = options.states ?? new MemoryTargetStateStore();
  const providerFor = providerCache(async (repository) => (repository.credentials.env ? env[repository.credentials.env] : undefined));
  const argocd =
    env.HOIST_ARGOCD_URL && env.HOIST_ARGOCD_TOKEN
      ? new ArgoCdClient({ url: env.HOIST_ARGOCD_URL, token: env.HOIST_ARGOCD_TOKEN, refresh: config.argocd.refresh, sync: config.argocd.sync })
      : undefined;
  // Locally a destination's URL comes from the variable it names; the default from HOIST_SLACK_WEBHOOK_URL.
  const notifierFor = slackNotifiers<SlackDestination>((destination) => {
    const url = destination?.env ? env[destination.env] : env[config.slack.env ?? 'HOIST_SLACK_WEBHOOK_URL'];
    return url ? async () => url : undefined;
  });
  const consume: EnvelopeConsumer = async (envelope) => {
    const result = await promoteBatch([envelope], {
      config,
      providerFor,
      states,
      audit,
      ...(argocd ? { argocd } : {}),
      notifierFor,
      log: logger,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    for (const applied of result.applied) {
      logger.info('promoted', {
        repository: applied.change.repository,
        branch: applied.change.branch,
        commit: applied.commit,
        promotions: applied.change.promotions.map((p) => `${p.service} ${p.environment}: ${p.fromTag ?? '-'} -> ${p.toTag}`),
      });
    }
    for (const noop of result.noops) logger.info('no change', { image: noop.image, tag: noop.tag, environment: noop.environment, reason: noop.reason });
  };
  return { consume, routesFor: (event) => routesFor(config, event), audit };
}
