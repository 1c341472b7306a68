import { ArnFormat, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

export interface SlackActionsEndpointProps {
  /** The HTTP API the route is added to (the webhook endpoint's: one URL, one stage throttle and access log). */
  readonly api: apigwv2.HttpApi;
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** Name of the existing secret holding the Slack app's signing secret. */
  readonly signingSecretName: string;
  /** Name of the existing secret holding the Slack app's bot token (`xoxb-…`), for `usergroups.users.list` and replies. */
  readonly botTokenSecretName: string;
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** How long a click's trigger id is a duplicate. @default 7 */
  readonly deliveryTtlDays?: number;
  /** @default logs.RetentionDays.ONE_MONTH (HoistFunction's) */
  readonly logRetention?: logs.RetentionDays;
  /** The promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled: the function reads `slack.app` (channel, approvers, secret names) and routes decisions by it. */
  readonly configFile: string;
}

const defaultProps = { maxBodyBytes: 1024 * 1024, deliveryTtlDays: 7 };

/** Secrets Manager names: what the console and the API accept. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/**
 * Where Slack sends clicks on approval messages: `POST /slack/actions` on the
 * given HTTP API (throttled by its stage like every route there), served by a
 * small function of its own that reads only the Slack app's signing secret
 * and bot token, claims deliveries in the ledger and queues decisions.
 */
export class SlackActionsEndpoint extends Construct {
  readonly handler: HoistFunction;

  constructor(scope: Construct, id: string, props: SlackActionsEndpointProps) {
    super(scope, id);
    const p = { ...defaultProps, ...props };
    for (const key of ['signingSecretName', 'botTokenSecretName'] as const) {
      if (!SECRET_NAME.test(p[key])) throw new Error(`SlackActionsEndpointProps.${key}: '${p[key]}' is not a Secrets Manager secret name`);
    }
    if (p.signingSecretName === p.botTokenSecretName) throw new Error('SlackActionsEndpointProps.botTokenSecretName: must differ from signingSecretName');
    for (const key of ['maxBodyBytes', 'deliveryTtlDays'] as const) {
      if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`SlackActionsEndpointProps.${key}: expected a positive whole number, got ${p[key]}`);
    }

    // 5 s: Slack waits 3 s for an answer; the rest lets a claim and enqueue under way finish consistently.
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'slack-actions',
      description: 'Hoist: verifies Slack approval clicks and queues the decisions of approvers',
      memorySize: 256,
      timeout: Duration.seconds(5),
      ...(p.logRetention === undefined ? {} : { logRetention: p.logRetention }),
      environment: {
        HOIST_EVENT_QUEUE_URL: p.eventQueue.queue.queueUrl,
        HOIST_TABLE_NAME: p.stateTable.table.tableName,
        HOIST_MAX_BODY_BYTES: String(p.maxBodyBytes),
        HOIST_DELIVERY_TTL_SECONDS: String(p.deliveryTtlDays * 24 * 3600),
      },
      extraFiles: [p.configFile],
    });
    p.eventQueue.grantSendEvents(this.handler.function);
    p.stateTable.grantDeliveryLedger(this.handler.function);
    // Powertools' SecretsProvider calls GetSecretValue by name and nothing else. A name resolves
    // to an ARN with a six-character suffix Secrets Manager adds, hence `-??????`.
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee: this.handler.function,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [p.signingSecretName, p.botTokenSecretName].map((name) =>
        stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ),
    });

    const route = new apigwv2.HttpRoute(this, 'Route', {
      httpApi: p.api,
      routeKey: apigwv2.HttpRouteKey.with('/slack/actions', apigwv2.HttpMethod.POST),
      integration: new HttpLambdaIntegration('SlackActions', this.handler.function),
    });
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Slack cannot send IAM or JWT credentials; every request is authenticated in the function by its v0 HMAC-SHA256 signature and a five-minute timestamp window, checked in constant time before anything else.',
      },
    ]);

    new CfnOutput(this, 'SlackActionsUrl', {
      description: "Request URL for the Slack app's Interactivity settings",
      value: `${p.api.apiEndpoint}/slack/actions`,
    });
  }
}
