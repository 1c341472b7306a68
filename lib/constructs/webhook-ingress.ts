import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

export type WebhookHost = 'github' | 'gitlab' | 'gitea';

export interface WebhookIngressProps {
  readonly hosts: readonly WebhookHost[];
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** Requests per second across the API. @default 50 */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** @default 7 */
  readonly deliveryTtlDays?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** The promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled so that events are queued per GitOps branch. @default none: ordered by source */
  readonly configFile?: string;
}

const defaultProps = { rateLimit: 50, burstLimit: 100, maxBodyBytes: 1024 * 1024, deliveryTtlDays: 7, logRetention: logs.RetentionDays.ONE_MONTH };

/**
 * The webhook endpoint: an HTTP API with one POST route per Git host, each to
 * the webhook function, throttled and access-logged. Each host gets its own
 * generated webhook secret in Secrets Manager; the function reads only those.
 */
export class WebhookIngress extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly handler: HoistFunction;
  readonly secrets: Partial<Record<WebhookHost, secretsmanager.Secret>> = {};

  constructor(scope: Construct, id: string, props: WebhookIngressProps) {
    super(scope, id);
    const p = { ...defaultProps, ...props };
    if (p.hosts.length === 0) throw new Error('WebhookIngressProps.hosts: name at least one Git host');
    if (p.burstLimit < 1 || p.rateLimit <= 0) throw new Error('WebhookIngressProps.rateLimit/burstLimit: must be positive');

    const environment: Record<string, string> = {
      HOIST_EVENT_QUEUE_URL: p.eventQueue.queue.queueUrl,
      HOIST_TABLE_NAME: p.stateTable.table.tableName,
      HOIST_MAX_BODY_BYTES: String(p.maxBodyBytes),
      HOIST_DELIVERY_TTL_SECONDS: String(p.deliveryTtlDays * 24 * 3600),
    };
    for (const host of p.hosts) {
      const secret = new secretsmanager.Secret(this, `${host}WebhookSecret`, {
        description: `Hoist: ${host} webhook secret (plain text, or JSON {"default": …, "repositories": {…}})`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      NagSuppressions.addResourceSuppressions(secret, [
        {
          id: 'AwsSolutions-SMG4',
          reason: `The ${host} webhook secret is shared with an external Git host; it is rotated by hand with both values accepted meanwhile (a JSON list), which a rotation Lambda cannot do on the host's side.`,
        },
      ]);
      this.secrets[host] = secret;
      environment[`HOIST_WEBHOOK_SECRET_ID_${host.toUpperCase()}`] = secret.secretArn;
    }

    // 10 s: GitHub gives up on a delivery after 10 seconds.
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'webhook',
      description: 'Hoist: verifies, de-duplicates and queues Git host webhooks',
      memorySize: 512,
      timeout: Duration.seconds(10),
      logRetention: p.logRetention,
      environment,
      ...(p.configFile ? { extraFiles: [p.configFile] } : {}),
    });
    p.eventQueue.grantSendEvents(this.handler.function);
    p.stateTable.grantDeliveryLedger(this.handler.function);
    // Powertools' SecretsProvider calls GetSecretValue by ARN and nothing else
    // (grantRead would add DescribeSecret). The secrets use the account's
    // aws/secretsmanager key, which needs no grant.
    iam.Grant.addToPrincipal({
      grantee: this.handler.function,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: Object.values(this.secrets).map((secret) => secret.secretArn),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: p.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Hoist webhook endpoint',
      createDefaultStage: false,
    });
    new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: p.rateLimit, burstLimit: p.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            length: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('Webhook', this.handler.function);
    for (const host of p.hosts) {
      const route = new apigwv2.HttpRoute(this, `${host}Route`, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(`/webhooks/${host}`, apigwv2.HttpMethod.POST),
        integration,
      });
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Git hosts cannot send IAM or JWT credentials; every delivery is authenticated in the function by its HMAC signature or token, checked in constant time before anything else.',
        },
      ]);
      new CfnOutput(this, `${host}WebhookUrl`, {
        description: `Payload URL to register in ${host}`,
        value: `${this.api.apiEndpoint}/webhooks/${host}`,
      });
    }
  }
}
