import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { type EmbeddedVault, startEmbeddedVault } from '../../../dev/embedded-vault';
import { localLambdaContext } from '../../../dev/lambda-context';
import { SecretsManagerSecretSource } from '../../../lambdas/clients/aws/secrets-manager-secret-source';
import { SqsDeadLetterSink } from '../../../lambdas/clients/aws/sqs-dead-letter-sink';
import { SqsSecretChangeQueue } from '../../../lambdas/clients/aws/sqs-secret-change-queue';
import { MemoryAuditLog } from '../../../lambdas/clients/local/memory-promotion-stores';
import { MemorySecretSyncState } from '../../../lambdas/clients/local/memory-secret-sync-state';
import { SlackWebhookNotifier } from '../../../lambdas/clients/slack-notifier';
import { VaultKvClient } from '../../../lambdas/clients/vault/vault-kv-client';
import { parsePromotionConfig } from '../../../lambdas/core/config/parse-promotion-config';
import { syncSecrets } from '../../../lambdas/core/secrets/sync-secrets';
import { providerCache } from '../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../lambdas/providers/git-cli-provider';
import { createSecretEventHandler } from '../../../lambdas/secret-event/create-secret-event-handler';
import { createSecretsSyncHandler } from '../../../lambdas/secrets-sync/create-secrets-sync-handler';
import { logger } from '../../../lambdas/shared/logger';
import { closedLocalOrigin } from '../../support/closed-port';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../support/fake-aws-json-service';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack';
import { createBareRepo } from '../../support/git-repo';
import { sqsRecord } from '../../support/sqs-records';

/*
 * Secret values go to Vault and nowhere else. Marker values are planted in
 * Secrets Manager (aws-sdk-client-mock) and in the CloudTrail event, then a
 * change runs the whole Lambda path: the secret-event handler queues it
 * (a local SQS fake following SendMessageBatch), the secrets-sync handler
 * syncs it into the embedded Vault and the manifests into a real Git
 * repository, tells the fake Slack webhook, writes audit records, and
 * dead-letters what fails (a person's change in Vault, a value that cannot
 * sync, an unreachable Vault). Every log line, commit, Slack payload, audit
 * record, queued message, dead letter and error is then searched for the markers.
 */

const MARKERS = ['mk-4f1d9a2e-db-password', 'mk-7c3e5b10-api-key', 'mk-9a8b7c6d-rotated', 'mk-2b4d6f80-nested'];
const [DB_PASSWORD, API_KEY, ROTATED, NESTED] = MARKERS as [string, string, string, string];
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/api/dev-Xq3Lm9';
const WEB_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/web/dev-Ab12Cd';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** A local SQS: SendMessageBatch (AWS JSON 1.0) answered entry by entry with the MD5 of its body, and kept. */
const startSqs = () =>
  startFakeAwsJsonService(({ body }) => {
    const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
    return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
  });

/** The queued message as Lambda's event source mapping would deliver it. */
const recordOf = (body: string, group: string, receives: number): SQSRecord =>
  sqsRecord(md5(body).slice(0, 12), body, { group, receives, queue: 'hoist-secrets.fifo' });

describe('secret values never leave Vault', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let vault: EmbeddedVault;
  let slack: FakeSlack;
  let queue: FakeAwsJsonService;
  let deadLetters: FakeAwsJsonService;
  let bare: string;
  const audit = new MemoryAuditLog();
  const errors: string[] = [];
  const output: string[] = [];
  let spies: MockInstance[] = [];
  let level: ReturnType<typeof logger.getLevelName>;

  beforeAll(async () => {
    vault = await startEmbeddedVault();
    slack = await startFakeSlack();
    queue = await startSqs();
    deadLetters = await startSqs();
    bare = createBareRepo({ 'README.md': 'gitops\n' }).bare;
    level = logger.getLevelName();
    logger.setLogLevel('DEBUG');
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  });
  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    logger.setLogLevel(level);
    secretsManager.restore();
    await vault.stop();
    await slack.close();
    await queue.close();
    await deadLetters.close();
  });

  const sqsClient = (service: FakeAwsJsonService) => new SQSClient({ endpoint: service.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS });

  function syncHandler(vaultUrl: string) {
    const config = parsePromotionConfig(`repositories: [{ name: gitops, provider: git, url: ${JSON.stringify(bare)} }]
secrets:
  vault: { url: ${vaultUrl}, auth: { method: token, tokenSecretName: hoist/vault-token } }
  manifests: { repository: gitops }
`);
    const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-leak-git-'));
    const deps = {
      config,
      source: new SecretsManagerSecretSource({ client: new SecretsManagerClient({ region: 'eu-west-1', credentials: TEST_CREDENTIALS }) }),
      vault: new VaultKvClient({ url: vaultUrl, token: async () => vault.token }),
      syncStates: states,
      providerFor: providerCache(
        async () => undefined,
        (r) => new GitCliProvider({ url: r.url, cacheDir }),
      ),
      audit,
      notifierFor: () => new SlackWebhookNotifier(async () => slack.url),
      log: logger,
      now: () => new Date('2026-11-23T09:06:00Z'),
      sleep: async () => undefined,
    };
    return createSecretsSyncHandler({
      sync: async (changes) => {
        try {
          return await syncSecrets(changes, deps);
        } catch (error) {
          errors.push(`${(error as Error).message}\n${(error as Error).stack ?? ''}`);
          throw error;
        }
      },
      deadLetters: new SqsDeadLetterSink({
        client: sqsClient(deadLetters),
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-secrets-dlq.fifo',
      }),
      maxReceives: 2,
      log: logger,
    });
  }
  const states = new MemorySecretSyncState();

  /** Secrets Manager as the mock answers it: DescribeSecret, then GetSecretValue of AWSCURRENT. */
  function secretsManagerHolds(arn: string, name: string, text: string, versionId: string): void {
    secretsManager.on(DescribeSecretCommand, { SecretId: arn }).resolves({ ARN: arn, Name: name, Tags: [] });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ ARN: arn, Name: name, VersionId: versionId, SecretString: text, VersionStages: ['AWSCURRENT'] });
  }

  /** The CloudTrail event of a PutSecretValue, with a value planted where CloudTrail never puts one. */
  async function announce(eventId: string): Promise<SQSRecord> {
    const event = JSON.parse(readFileSync('test/fixtures/secretsmanager/put-secret-value.json', 'utf8')) as {
      detail: { eventID: string; requestParameters: Record<string, unknown> };
    };
    event.detail.eventID = eventId;
    event.detail.requestParameters.secretString = JSON.stringify({ DB_PASSWORD });
    const before = queue.calls.length;
    const intake = createSecretEventHandler({
      queue: new SqsSecretChangeQueue({ client: sqsClient(queue), queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-secrets.fifo' }),
      scope: { prefixes: ['hoist/apps/'], names: [] },
    });
    await intake(event, localLambdaContext('secret-event'));
    const [entry] = (queue.calls[before]?.body.Entries ?? []) as Array<{ MessageBody: string; MessageGroupId: string }>;
    if (entry === undefined) throw new Error('nothing was queued');
    return recordOf(entry.MessageBody, entry.MessageGroupId, 1);
  }

  it('runs every path: a sync, a rotation, a person in Vault, a value that cannot sync, Vault unreachable', async () => {
    const handler = syncHandler(vault.url);
    secretsManagerHolds(ARN, 'hoist/apps/api/dev', JSON.stringify({ DB_PASSWORD, API_KEY }), 'v-1');
    expect((await handler({ Records: [await announce('e-1')] }, localLambdaContext('secrets-sync'))).batchItemFailures).toEqual([]);
    // The positive control: the values are in Vault, so the search below looks for what is really there.
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ DB_PASSWORD, API_KEY });

    secretsManagerHolds(ARN, 'hoist/apps/api/dev', JSON.stringify({ DB_PASSWORD: ROTATED, API_KEY }), 'v-2');
    await handler({ Records: [await announce('e-2')] }, localLambdaContext('secrets-sync'));
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ DB_PASSWORD: ROTATED, API_KEY });

    vault.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'typed-by-a-person' });
    secretsManagerHolds(ARN, 'hoist/apps/api/dev', JSON.stringify({ DB_PASSWORD, API_KEY }), 'v-3');
    await handler({ Records: [await announce('e-3')] }, localLambdaContext('secrets-sync'));

    secretsManagerHolds(WEB_ARN, 'hoist/apps/web/dev', JSON.stringify({ nested: { value: NESTED } }), 'w-1');
    const web = JSON.stringify({
      type: 'secret.changed',
      id: 'reconcile:r1:web',
      secretArn: WEB_ARN,
      name: 'hoist/apps/web/dev',
      change: 'reconcile',
      occurredAt: '2026-11-23T09:06:00Z',
    });
    await handler({ Records: [recordOf(web, 'secret:web', 1)] }, localLambdaContext('secrets-sync'));

    const unreachable = syncHandler(await closedLocalOrigin());
    // The last receive of the queue's two: dead-lettered with the reason.
    const last = await announce('e-4');
    await unreachable({ Records: [{ ...last, attributes: { ...last.attributes, ApproximateReceiveCount: '2' } }] }, localLambdaContext('secrets-sync'));

    // Every path ran: two commits, three dead letters with reasons, failure messages in Slack.
    const history = execFileSync('git', ['--git-dir', bare, 'log', '-p', '--all'], { encoding: 'utf8' });
    expect(history).toContain('property: DB_PASSWORD');
    const dead = deadLetters.calls.flatMap((c) => c.body.Entries as Array<{ MessageBody: string; MessageAttributes: Record<string, { StringValue: string }> }>);
    expect(dead.map((d) => d.MessageAttributes['hoist-reason']?.StringValue)).toEqual([
      expect.stringContaining('which Hoist did not write'),
      expect.stringContaining('key nested holds a nested object'),
      expect.stringContaining('Vault unreachable'),
    ]);
    expect(slack.messages.map((m) => m.text)).toEqual([
      'Hoist synced api/dev secrets',
      'Hoist synced api/dev secrets',
      expect.stringContaining('could not sync hoist/apps/api/dev'),
      expect.stringContaining('could not sync hoist/apps/web/dev'),
      expect.stringContaining('Vault unreachable'),
    ]);
    expect(output.join('')).toContain('dead-lettering');

    const everywhere = {
      logs: output.join(''),
      commits: history,
      slack: JSON.stringify(slack.messages),
      audit: JSON.stringify(audit.records),
      queued: JSON.stringify(queue.calls.map((c) => c.body)),
      deadLetters: JSON.stringify(deadLetters.calls.map((c) => c.body)),
      errors: errors.join('\n'),
    };
    for (const [where, text] of Object.entries(everywhere)) {
      for (const marker of MARKERS) expect({ where, found: text.includes(marker) }).toEqual({ where, found: false });
    }
  });
});
