import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../lambdas/clients/local/memory-promotion-stores';
import { type PromotionConfig, PromotionConfigSchema } from '../../../lambdas/core/config/promotion-config';
import type { EventEnvelope } from '../../../lambdas/core/events';
import { type BatchResult, promoteBatch } from '../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../lambdas/providers/git-cli-provider';
import { imageEnvelope } from '../../support/envelopes';
import { createBareRepo } from '../../support/git-repo';
import { GitWrapper, personPush } from '../../support/git-wrapper';

const services = ['api', 'web', 'worker'] as const;
const values = (service: string, tag: string) => `image:\n  repository: ghcr.io/octo-org/${service}\n  tag: ${tag}\nreplicas: 2\n`;
const fileOf = (service: string) => `apps/${service}/dev/values.yaml`;
const tagOf = (n: number) => `1.0.${n}`;
const eventFor = (n: number, service: string): EventEnvelope => {
  const base = imageEnvelope(n, `octo-org/${service}`, 'ghcr.io');
  return { ...base, id: `ecr:${service}:${tagOf(n)}#0`, event: { ...base.event, tag: tagOf(n) } } as EventEnvelope;
};

/**
 * The one place that calls the promotion engine, so a change of its
 * signature is adapted here only. No clock: backoff sleeps return at once.
 */
function promote(
  events: readonly EventEnvelope[],
  config: PromotionConfig,
  stores: { states: MemoryTargetStateStore; audit: MemoryAuditLog },
): Promise<BatchResult> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-race-cache-'));
  return promoteBatch(events, {
    config,
    providerFor: providerCache(
      async () => undefined,
      (repository) => new GitCliProvider({ url: repository.url, cacheDir }),
    ),
    states: stores.states,
    audit: stores.audit,
    log: { warn: () => undefined },
    now: () => new Date('2026-11-23T08:00:00.000Z'),
    sleep: async () => undefined,
    maxAttempts: 5,
  });
}

describe('promotion on plain git while people push to main (interleavings forced by a git wrapper)', () => {
  let wrapper: GitWrapper;
  beforeEach(() => {
    wrapper = new GitWrapper();
    wrapper.install();
  });
  afterEach(() => wrapper.uninstall());

  it("lands every event's bump exactly once and keeps every person's change", async () => {
    const { bare, person } = createBareRepo(Object.fromEntries(services.map((s) => [fileOf(s), values(s, '1.0.0')])));
    const config = PromotionConfigSchema.parse({
      repositories: [{ name: 'gitops', provider: 'git', url: bare, baseBranch: 'main' }],
      images: services.map((s) => ({ image: `ghcr.io/octo-org/${s}`, targets: [{ repository: 'gitops', file: fileOf(s), environment: 'dev' }] })),
    });
    // One batch per service, one after the other. A person pushes to main just before
    // Hoist's 1st, 2nd and 3rd fetch (between its previous push and its read), and just
    // before its 1st, 3rd and 5th push (between its read and its push): every batch
    // reads a branch that has just moved, and loses one push race.
    const steps: Array<[command: string, n: number]> = [
      ['fetch', 1],
      ['fetch', 2],
      ['fetch', 3],
      ['push', 1],
      ['push', 3],
      ['push', 5],
    ];
    steps.forEach(([command, n], i) => {
      wrapper.before(command, n, personPush(person.dir, fileOf(services[i % services.length] as string), `# person ${i}`, `person ${i}`));
    });

    const stores = { states: new MemoryTargetStateStore(), audit: new MemoryAuditLog() };
    const results: BatchResult[] = [];
    for (const [i, service] of services.entries()) results.push(await promote([eventFor(i + 1, service)], config, stores));

    // Every planned person push happened.
    expect(wrapper.count('fetch')).toBeGreaterThanOrEqual(3);
    expect(wrapper.count('push')).toBeGreaterThanOrEqual(5);
    const subjects = person.log();
    for (const i of steps.keys()) expect(subjects.filter((s) => s === `person ${i}`)).toHaveLength(1);
    for (const [i, service] of services.entries()) {
      // Landed, once: one commit and one applied change for each event, none planned as "no such file".
      expect(subjects.filter((s) => s.includes(`bump ${service} 1.0.0 -> ${tagOf(i + 1)}`))).toHaveLength(1);
      expect(results[i]?.applied.map((a) => a.change.promotions.map((p) => p.toTag))).toEqual([[tagOf(i + 1)]]);
      expect(results[i]?.noops).toEqual([]);
      const text = person.show('main', fileOf(service));
      expect(text).toContain(`tag: ${tagOf(i + 1)}`);
      // Each person line written to this file is still there.
      for (const [k] of steps.entries()) if (k % services.length === i) expect(text).toContain(`# person ${k}`);
    }
    expect(stores.audit.records.filter((r) => r.outcome === 'promoted')).toHaveLength(services.length);
  });
});
