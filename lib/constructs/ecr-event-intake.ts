import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

export interface EcrEventIntakeProps {
  /** ECR repository names whose pushes count; at least one. */
  readonly repositories: readonly string[];
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** @default 7 */
  readonly deliveryTtlDays?: number;
  readonly logRetention?: logs.RetentionDays;
  /** hoist.config.yaml, bundled so that events are queued per GitOps branch. @default none: ordered by source */
  readonly configFile?: string;
}

/**
 * ECR push intake: an EventBridge rule for successful `ECR Image Action`
 * pushes of the named repositories, invoking the ECR-event function. Events
 * the rule cannot deliver, and invocations that keep failing, land in one
 * dead-letter queue.
 */
export class EcrEventIntake extends Construct {
  readonly rule: events.Rule;
  readonly handler: HoistFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EcrEventIntakeProps) {
    super(scope, id);
    if (props.repositories.length === 0) {
      throw new Error('EcrEventIntakeProps.repositories: name at least one ECR repository (config automation.ecrRepositories or platform.ecr.repositories)');
    }
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the EventBridge target and the on-failure destination of the function.',
      },
    ]);
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'ecr-event',
      description: 'Hoist: de-duplicates and queues ECR image pushes',
      memorySize: 256,
      timeout: Duration.seconds(30),
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_EVENT_QUEUE_URL: props.eventQueue.queue.queueUrl,
        HOIST_TABLE_NAME: props.stateTable.table.tableName,
        HOIST_DELIVERY_TTL_SECONDS: String((props.deliveryTtlDays ?? 7) * 24 * 3600),
      },
      ...(props.configFile ? { extraFiles: [props.configFile] } : {}),
    });
    const deadLetterQueue = this.deadLetterQueue;
    const onFailure: lambda.IDestination = {
      // Lambda sends a failed invocation's record with the function's role and
      // needs sqs:SendMessage only; SqsDestination would also grant
      // GetQueueAttributes and GetQueueUrl.
      bind: (_scope, fn) => {
        deadLetterQueue.grant(fn, 'sqs:SendMessage');
        return { destination: deadLetterQueue.queueArn };
      },
    };
    this.handler.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure });
    props.eventQueue.grantSendEvents(this.handler.function);
    props.stateTable.grantDeliveryLedger(this.handler.function);

    this.rule = new events.Rule(this, 'PushRule', {
      description: 'Hoist: successful image pushes to the configured ECR repositories',
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          'repository-name': [...new Set(props.repositories)].sort(),
        },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}
