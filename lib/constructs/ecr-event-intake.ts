import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliverEvents, eventDeadLetterQueue } from './deliver-events';
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
  /** The promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled so that events are queued per GitOps branch. @default none: ordered by source */
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
    this.deadLetterQueue = eventDeadLetterQueue(this);
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
    deliverEvents(this.rule, this.handler.function, this.deadLetterQueue);
  }
}
