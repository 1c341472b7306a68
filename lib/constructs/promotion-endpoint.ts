import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

export interface PromotionEndpointProps {
  /** The HTTP API the routes are added to (the webhook endpoint's, so CI and Git hosts share one URL). */
  readonly api: apigwv2.HttpApi;
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** How long a request id is a duplicate. @default 7 */
  readonly deliveryTtlDays?: number;
  /** How long `GET /promotions/{id}` can answer. @default 7 */
  readonly outcomeTtlDays?: number;
  /** @default logs.RetentionDays.ONE_MONTH (HoistFunction's) */
  readonly logRetention?: logs.RetentionDays;
  /** The promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled so that promotions are queued per GitOps branch. @default none: ordered by image */
  readonly configFile?: string;
}

const defaultProps = { maxBodyBytes: 1024 * 1024, deliveryTtlDays: 7, outcomeTtlDays: 7 };

/**
 * The promotion endpoint CI calls instead of editing GitOps files itself:
 * `POST /promotions` and `GET /promotions/{id}` on the given HTTP API, served
 * by a small function of its own that reads only the generated client
 * secret (never a Git host's webhook secret).
 */
export class PromotionEndpoint extends Construct {
  readonly handler: HoistFunction;
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PromotionEndpointProps) {
    super(scope, id);
    const p = { ...defaultProps, ...props };
    for (const key of ['maxBodyBytes', 'deliveryTtlDays', 'outcomeTtlDays'] as const) {
      if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`PromotionEndpointProps.${key}: expected a positive whole number, got ${p[key]}`);
    }

    this.secret = new secretsmanager.Secret(this, 'ClientSecret', {
      description: 'Hoist: signs requests to /promotions (plain text, or JSON {"default": [new, old]} while rotating)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The promotion client secret is shared with CI systems outside AWS; it is rotated by hand with both values accepted meanwhile (a JSON list), which a rotation Lambda cannot do on the CI side.',
      },
    ]);

    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'promotions',
      description: 'Hoist: verifies and queues promotions requested by CI, and answers their outcome',
      memorySize: 256,
      timeout: Duration.seconds(10),
      ...(p.logRetention === undefined ? {} : { logRetention: p.logRetention }),
      environment: {
        HOIST_EVENT_QUEUE_URL: p.eventQueue.queue.queueUrl,
        HOIST_TABLE_NAME: p.stateTable.table.tableName,
        HOIST_MAX_BODY_BYTES: String(p.maxBodyBytes),
        HOIST_DELIVERY_TTL_SECONDS: String(p.deliveryTtlDays * 24 * 3600),
        HOIST_PROMOTION_OUTCOME_TTL_SECONDS: String(p.outcomeTtlDays * 24 * 3600),
        HOIST_PROMOTION_SECRET_ID: this.secret.secretArn,
      },
      ...(p.configFile ? { extraFiles: [p.configFile] } : {}),
    });
    p.eventQueue.grantSendEvents(this.handler.function);
    p.stateTable.grantDeliveryLedger(this.handler.function);
    p.stateTable.grantPromotionOutcomes(this.handler.function);
    // Powertools' SecretsProvider calls GetSecretValue by ARN and nothing else;
    // the secret uses the account's aws/secretsmanager key, which needs no grant.
    iam.Grant.addToPrincipal({ grantee: this.handler.function, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });

    const integration = new HttpLambdaIntegration('Promotions', this.handler.function);
    const routes = [
      new apigwv2.HttpRoute(this, 'RequestRoute', {
        httpApi: p.api,
        routeKey: apigwv2.HttpRouteKey.with('/promotions', apigwv2.HttpMethod.POST),
        integration,
      }),
      new apigwv2.HttpRoute(this, 'OutcomeRoute', {
        httpApi: p.api,
        routeKey: apigwv2.HttpRouteKey.with('/promotions/{id}', apigwv2.HttpMethod.GET),
        integration,
      }),
    ];
    for (const route of routes) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'CI systems sign each request with the promotion client secret (HMAC-SHA256 of the raw body, or of the path for a GET), checked in the function in constant time before anything else.',
        },
      ]);
    }

    new CfnOutput(this, 'PromotionsUrl', { description: 'URL CI posts promotions to', value: `${p.api.apiEndpoint}/promotions` });
    new CfnOutput(this, 'PromotionSecretArn', { description: 'Secret that signs requests to /promotions', value: this.secret.secretArn });
  }
}
