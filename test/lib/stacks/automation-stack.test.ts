import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../lambdas/core/config/parse-promotion-config';
import type { HoistApp } from '../../../lib/build-app';
import { EcrReconcile } from '../../../lib/constructs/ecr-reconcile';
import { EventQueue } from '../../../lib/constructs/event-queue';
import { Gates, type GatesProps } from '../../../lib/constructs/gates';
import { SecretsReconcile, type SecretsReconcileProps } from '../../../lib/constructs/secrets-reconcile';
import { SecretsSync, type SecretsSyncProps } from '../../../lib/constructs/secrets-sync';
import { StateTable } from '../../../lib/constructs/state-table';
import { nagErrors, synthApp, WITH_SECRETS } from '../support';

const GATES = 'Hoist: checks the gates of chain environments against Argo CD and queues the promotions they let through';
const GATE_QUEUE = 'GatesQueue0DC50F34';
const GATE_DEAD_LETTERS = 'GatesDeadLetters49959B27';

describe('AutomationStack', () => {
  let hoist: HoistApp;
  let template: Template;
  beforeAll(() => {
    hoist = synthApp();
    template = Template.fromStack(hoist.automation);
  });

  it('has no unsuppressed cdk-nag AwsSolutions errors', () => {
    expect(nagErrors(hoist.automation)).toEqual([]);
  });

  it('queues events on a FIFO queue with a FIFO dead-letter queue behind a redrive policy', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      VisibilityTimeout: 720,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, MessageRetentionPeriod: 1209600, RedrivePolicy: Match.absent() });
  });

  it('alarms when a dead-letter queue holds anything, notifying an encrypted topic', () => {
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: Match.anyValue() }] },
      3,
    );
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('keeps state in an on-demand table with PITR, TTL and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('runs six arm64 Node.js 24 functions with JSON logs and tracing, timeouts per role', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
    const props = Object.values(functions).map((f) => f.Properties as Record<string, any>);
    expect(props).toHaveLength(6);
    for (const p of props) {
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
    expect(props.map((p) => [p.MemorySize, p.Timeout]).sort()).toEqual(
      [
        [1024, 120],
        [256, 120],
        [256, 10],
        [256, 30],
        [256, 30],
        [512, 10],
      ].sort(),
    );
  });

  it('ships every function that reads the promotion config hoist.config.json as synth parsed it, with its SHA-256, and no YAML', () => {
    const outdir = hoist.app.outdir;
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
    const digests = Object.values(functions).map(
      (f) => (f.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables?.HOIST_CONFIG_SHA256,
    );
    expect(digests.filter((d) => d !== undefined)).toHaveLength(6);
    let checked = 0;
    for (const [logicalId, resource] of Object.entries(functions)) {
      const digest = (resource.Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables.HOIST_CONFIG_SHA256;
      // The bundle is staged as asset.<hash> in the app's output folder; the template names it <hash>.zip.
      const key = (resource.Properties as { Code: { S3Key: string } }).Code.S3Key;
      const bundle = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      checked += 1;
      expect(existsSync(join(bundle, 'hoist.config.yaml')), logicalId).toBe(false);
      const shipped = readFileSync(join(bundle, 'hoist.config.json'), 'utf8');
      expect(createHash('sha256').update(shipped).digest('hex')).toBe(digest);
      expect(JSON.parse(shipped).config).toStrictEqual(parsePromotionConfig(readFileSync('hoist.config.yaml', 'utf8')));
    }
    expect(checked).toBe(6);
  });

  it('routes POST /webhooks/<host> for each host, throttled and access-logged, and outputs the URLs', () => {
    for (const host of ['github', 'gitlab', 'gitea']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST /webhooks/${host}` });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.filter((name) => /WebhookUrl/.test(name))).toHaveLength(3);
  });

  it('routes POST /promotions and GET /promotions/{id} on the same API to the promotions function, and outputs the URL and secret', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties as Record<string, any>);
    const promotions = routes.filter((r) => String(r.RouteKey).includes('/promotions'));
    expect(promotions.map((r) => r.RouteKey).sort()).toEqual(['GET /promotions/{id}', 'POST /promotions']);
    const webhook = routes.find((r) => r.RouteKey === 'POST /webhooks/github');
    for (const route of promotions) expect(route.ApiId).toEqual(webhook?.ApiId);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const target = (route: Record<string, any>) => integrations[route.Target['Fn::Join'][1][1].Ref]?.Properties.IntegrationUri;
    const promotionsFunction = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, f]) => f.Properties.Description === 'Hoist: verifies and queues promotions requested by CI, and answers their outcome',
    )?.[0];
    for (const route of promotions) expect(target(route)).toEqual({ 'Fn::GetAtt': [promotionsFunction, 'Arn'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: verifies and queues promotions requested by CI, and answers their outcome',
      Environment: { Variables: Match.objectLike({ HOIST_PROMOTION_SECRET_ID: { Ref: Match.stringLikeRegexp('^PromotionsClientSecret') } }) },
    });
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.filter((name) => /PromotionsUrl|PromotionSecretArn/.test(name))).toHaveLength(2);
  });

  it('gives no role a wildcard action (exact per-function grants: automation-grants.test.ts)', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  it('feeds successful pushes of the configured ECR repositories to the ECR-event function, with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['team/api', 'team/worker'] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: { MaximumRetryAttempts: 8 } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('runs the ECR reconcile every 10 minutes, over the newest 10 images of the watched repositories, with no retries', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(10 minutes)',
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EcrReconcileHandlerFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: lists the newest ECR images and queues pushes their events missed',
      Environment: {
        Variables: Match.objectLike({
          HOIST_RECONCILE_NEWEST: '10',
          HOIST_ECR_REPOSITORIES: {
            'Fn::Join': [
              '',
              [
                '123456789012.dkr.ecr.eu-west-1.',
                { Ref: 'AWS::URLSuffix' },
                '/team/api,123456789012.dkr.ecr.eu-west-1.',
                { Ref: 'AWS::URLSuffix' },
                '/team/worker',
              ],
            ],
          },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^EcrReconcileHandlerFunction') },
      MaximumRetryAttempts: 0,
    });
  });

  it('consumes the queue with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('keeps gate checks on a standard queue (per-message delays), encrypted, TLS only, with a dead-letter queue after 5 receives', () => {
    const queue = template.findResources('AWS::SQS::Queue')[GATE_QUEUE];
    expect(queue?.Properties).toEqual({
      // No FifoQueue: FIFO queues take no per-message DelaySeconds. Six times the function's 30 s.
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 345600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [GATE_DEAD_LETTERS, 'Arn'] }, maxReceiveCount: 5 },
      Tags: [{ Key: 'app', Value: 'hoist' }],
    });
    // A standard dead-letter queue (a standard queue's must be one), kept 14 days and past the stack.
    const deadLetters = template.findResources('AWS::SQS::Queue')[GATE_DEAD_LETTERS];
    expect(deadLetters?.Properties).toEqual({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true, Tags: [{ Key: 'app', Value: 'hoist' }] });
    expect(deadLetters?.DeletionPolicy).toBe('Retain');
    for (const id of [GATE_QUEUE, GATE_DEAD_LETTERS]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
        },
      });
    }
  });

  it('runs the gates function (256 MB, 30 s) on the gates queue in batches of 10 with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [GATE_QUEUE, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^GatesHandlerFunction') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: GATES,
      MemorySize: 256,
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          HOIST_TABLE_NAME: { Ref: 'StateTable962DE04C' },
          HOIST_EVENT_QUEUE_URL: { Ref: 'EventsQueue7396B467' },
          HOIST_GATE_QUEUE_URL: { Ref: GATE_QUEUE },
          HOIST_DEAD_LETTER_QUEUE_URL: { Ref: GATE_DEAD_LETTERS },
          HOIST_MAX_RECEIVE_COUNT: '5',
        }),
      },
    });
    // The promoter opens gates on the same queue.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: plans and applies promotions from queued events',
      Environment: { Variables: Match.objectLike({ HOIST_GATE_QUEUE_URL: { Ref: GATE_QUEUE } }) },
    });
  });

  it('alarms on the gates dead-letter queue, to the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [GATE_DEAD_LETTERS, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] }],
    });
  });

  it('builds nothing of the secrets sync without a secrets: section', () => {
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.secretsmanager'] } } }))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('Secret'))).toEqual([]);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});

describe('AutomationStack with a secrets: section', () => {
  let hoist: HoistApp;
  let template: Template;
  beforeAll(() => {
    hoist = synthApp(WITH_SECRETS);
    template = Template.fromStack(hoist.automation);
  });
  const fnId = (prefix: string) => Match.stringLikeRegexp(`^${prefix}HandlerFunction`);

  it('has no unsuppressed cdk-nag AwsSolutions errors', () => {
    expect(nagErrors(hoist.automation)).toEqual([]);
  });

  it('feeds successful Secrets Manager changes of the mapped names and ARNs to the secret-event function, with a DLQ', () => {
    const byArn = [{ wildcard: '*:secret:hoist/apps/*' }, { wildcard: '*:secret:legacy/db-password-*' }];
    const byName = [{ prefix: 'hoist/apps/' }, 'legacy/db-password'];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['CreateSecret', 'DeleteSecret', 'PutSecretValue', 'RotationSucceeded', 'UpdateSecret'],
          errorCode: [{ exists: false }],
          $or: [
            { requestParameters: { secretId: byName } },
            { requestParameters: { name: byName } },
            { responseElements: { arn: byArn } },
            { responseElements: { aRN: byArn } },
            { additionalEventData: { SecretId: byArn } },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId('SecretEvents'), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: queues Secrets Manager changes recorded by CloudTrail',
      Environment: {
        Variables: Match.objectLike({
          HOIST_SECRET_QUEUE_URL: { Ref: 'SecretQueueBFC3B413' },
          HOIST_SECRET_PREFIXES: 'hoist/apps/',
          HOIST_SECRET_NAMES: 'legacy/db-password',
        }),
      },
    });
  });

  it('queues secret changes on a FIFO queue of their own, consumed by the sync with partial batch responses', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      VisibilityTimeout: 720,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SecretQueueDeadLetters19D9BE49', 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': ['SecretQueueBFC3B413', 'Arn'] },
      FunctionName: { Ref: fnId('SecretsSync') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Hoist: syncs Secrets Manager secrets into Vault and their manifests into Git',
      MemorySize: 1024,
      Timeout: 120,
      Environment: {
        Variables: Match.objectLike({
          HOIST_TABLE_NAME: { Ref: 'StateTable962DE04C' },
          HOIST_DEAD_LETTER_QUEUE_URL: { Ref: 'SecretQueueDeadLetters19D9BE49' },
          // The queue's maxReceiveCount: the function dead-letters the last failed attempt with its reason.
          HOIST_MAX_RECEIVE_COUNT: '5',
        }),
      },
    });
  });

  it("outputs the sync function's role, which Vault's AWS auth role binds to", () => {
    const outputs = Object.values(template.findOutputs('*'));
    expect(outputs).toContainEqual(
      expect.objectContaining({
        Description: 'IAM role of the secrets sync, for the Vault AWS auth role',
        Value: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsSyncHandlerRole/), 'Arn'] },
      }),
    );
  });

  it('runs the secrets reconcile every 60 minutes unless told otherwise, with no retries', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: { Arn: { 'Fn::GetAtt': [fnId('SecretsReconcile'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId('SecretsReconcile') }, MaximumRetryAttempts: 0 });
    const custom = Template.fromStack(synthApp(WITH_SECRETS.replace('  secretsSync: {', '  secretsSync: { reconcileEveryMinutes: 15,')).automation);
    custom.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: { Arn: { 'Fn::GetAtt': [fnId('SecretsReconcile'), 'Arn'] } },
    });
  });

  it('alarms on both secrets dead-letter queues and on a failed reconcile, to the alarm topic', () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const queue of ['SecretQueueDeadLetters19D9BE49', 'SecretEventsDeadLettersAE1A432E']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Threshold: 0,
        AlarmActions: [{ Ref: topic }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('SecretsReconcile') } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('builds nothing of it when the section says enabled: false', () => {
    const off = Template.fromStack(synthApp(WITH_SECRETS.replace(/^secrets:\n/m, 'secrets:\n  enabled: false\n')).automation);
    off.resourceCountIs('AWS::Lambda::Function', 6);
    off.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});

describe('Gates props', () => {
  const build = (props: Partial<GatesProps>) => {
    const stack = new Stack(new App(), 'Test');
    new Gates(stack, 'Gates', {
      eventQueue: new EventQueue(stack, 'Events'),
      stateTable: new StateTable(stack, 'State'),
      secretNames: [],
      configFile: 'hoist.config.yaml',
      ...props,
    });
  };

  it('refuses a batch or a receive count out of range, naming the prop', () => {
    expect(() => build({ batchSize: 11 })).toThrowError(/^GatesProps\.batchSize: 1 to 10/);
    expect(() => build({ batchSize: 0 })).toThrowError(/^GatesProps\.batchSize/);
    expect(() => build({ maxReceiveCount: 0 })).toThrowError(/^GatesProps\.maxReceiveCount: must be a whole number from 1 to 1000, got 0/);
  });
});

describe('SecretsSync and SecretsReconcile props', () => {
  const build = (sync: Partial<SecretsSyncProps>, reconcile: Partial<SecretsReconcileProps> = {}) => {
    const stack = new Stack(new App(), 'Test');
    const secretQueue = new EventQueue(stack, 'Secrets');
    new SecretsSync(stack, 'Sync', {
      secretQueue,
      stateTable: new StateTable(stack, 'State'),
      namePrefixes: ['hoist/apps/'],
      configFile: 'hoist.config.yaml',
      ...sync,
    });
    new SecretsReconcile(stack, 'Reconcile', { secretQueue, namePrefixes: ['hoist/apps/'], ...reconcile });
  };

  it('refuses a scope that is empty or would grant every secret, and a schedule out of range, naming the prop', () => {
    expect(() => build({ namePrefixes: [] })).toThrowError(/^SecretsSyncProps\.namePrefixes: name at least one prefix or secret name/);
    expect(() => build({ namePrefixes: ['hoist/', ''] })).toThrowError(/^SecretsSyncProps\.namePrefixes\[1\]: an empty prefix would grant every secret/);
    expect(() => build({ batchSize: 11 })).toThrowError(/^SecretsSyncProps\.batchSize: /);
    expect(() => build({}, { every: Duration.seconds(30) })).toThrowError(
      /^SecretsReconcileProps\.every: expected whole minutes from 1 to 1440, got 30 seconds/,
    );
  });
});

describe('AutomationStack alone (platform disabled)', () => {
  /** The automation stack alone, watching one ECR repository; the automation settings continue below it. */
  const ALONE = 'platform: { enabled: false }\nautomation:\n  ecrRepositories: [legacy/app]\n';

  it('deploys without the platform stack, taking ECR repositories from automation settings', () => {
    const hoist = synthApp('platform: { enabled: false }\nautomation: { ecrRepositories: [legacy/app] }\n');
    expect(hoist.platform).toBeUndefined();
    Template.fromStack(hoist.automation).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ 'repository-name': ['legacy/app'] }) }),
    });
  });

  it('runs the reconcile as automation.reconcile says, or not at all', () => {
    const custom = Template.fromStack(synthApp(`${ALONE}  reconcile: { everyMinutes: 1, newest: 3 }\n`).automation);
    custom.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
    custom.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HOIST_RECONCILE_NEWEST: '3' }) } });

    const off = synthApp(`${ALONE}  reconcile: { enabled: false }\n`);
    const template = Template.fromStack(off.automation);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    // Webhook, promotions, ECR event, promoter, gates: no reconcile.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    expect(nagErrors(off.automation)).toEqual([]);
  });

  it('fails synthesis naming the setting when no ECR repository is known', () => {
    expect(() => synthApp('platform: { enabled: false }\n')).toThrowError(/EcrEventIntakeProps\.repositories: name at least one ECR repository/);
  });
});

describe('EcrReconcile props', () => {
  const build = (props: Partial<ConstructorParameters<typeof EcrReconcile>[2]>) => {
    const stack = new Stack(new App(), 'Test');
    new EcrReconcile(stack, 'Reconcile', {
      repositories: ['team/api'],
      eventQueue: new EventQueue(stack, 'Events'),
      stateTable: new StateTable(stack, 'State'),
      ...props,
    });
  };

  it('refuses a schedule or a count out of range, naming the prop', () => {
    expect(() => build({ repositories: [] })).toThrowError(/^EcrReconcileProps\.repositories: name at least one ECR repository/);
    expect(() => build({ every: Duration.seconds(90) })).toThrowError(
      /^EcrReconcileProps\.every: expected whole minutes from 1 to 1440, got 1 minute 30 seconds/,
    );
    expect(() => build({ every: Duration.days(2) })).toThrowError(/^EcrReconcileProps\.every: /);
    expect(() => build({ newest: 0 })).toThrowError(/^EcrReconcileProps\.newest: expected a whole number from 1 to 100, got 0/);
  });
});
