import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HoistApp } from '../../../lib/build-app';
import { EcrReconcile } from '../../../lib/constructs/ecr-reconcile';
import { EventQueue } from '../../../lib/constructs/event-queue';
import { StateTable } from '../../../lib/constructs/state-table';
import { nagErrors, synthApp } from '../support';

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
      2,
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

  it('runs five arm64 Node.js 24 functions with JSON logs and tracing, timeouts per role', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
    const props = Object.values(functions).map((f) => f.Properties as Record<string, any>);
    expect(props).toHaveLength(5);
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
        [512, 10],
      ].sort(),
    );
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

  it('keeps a rule for Secrets Manager changes ready for the secrets-sync function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.secretsmanager'],
        detail: Match.objectLike({ eventName: ['PutSecretValue', 'UpdateSecret', 'RotationSucceeded'] }),
      }),
    });
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
    template.resourceCountIs('AWS::Lambda::Function', 4);
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
