import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

/** The gates function's timeout; the gates queue's visibility timeout is six times it, as AWS recommends for Lambda event sources. */
export const GATES_TIMEOUT = Duration.seconds(30);

export interface GatesProps {
  /** The FIFO event queue, where a passed gate queues the promotion of its environment. */
  readonly eventQueue: EventQueue;
  /** Where failed and passed gates are audited. */
  readonly stateTable: StateTable;
  /** Names of the existing secrets the function may read: the Argo CD token and Slack webhooks (`gateSecretNames`). */
  readonly secretNames: readonly string[];
  /** Absolute path of the promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled with the function. */
  readonly configFile: string;
  /** Checks per invocation; each may ask Argo CD, within the 30 s timeout. @default 10 */
  readonly batchSize?: number;
  /** Receives before a check moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

const defaultProps = { batchSize: 10, maxReceiveCount: 5 } satisfies Partial<GatesProps>;

/**
 * The gates before chain environments (dev → staging → prod). The promoter
 * puts a check on the gates queue when a commit lands in an environment; the
 * gates function looks at it when it comes back, reads Argo CD, and passes
 * it (a `gate.passed` envelope on the event queue), puts it back with a
 * delay, or fails it (audit, Slack). The queue is a standard queue: only
 * those take a per-message delay (`DelaySeconds`), so a waiting gate costs
 * no running function. Its dead-letter queue takes what no retry can help,
 * with the reason, and what failed every receive.
 *
 * The function's role may: consume the gates queue, send to it (a check
 * that waits), to the event queue (a passed gate) and to the dead-letter
 * queue, put audit records in the table, and read the named secrets.
 */
export class Gates extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly handler: HoistFunction;

  constructor(scope: Construct, id: string, props: GatesProps) {
    super(scope, id);
    const { batchSize, maxReceiveCount } = { ...defaultProps, ...props };
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`GatesProps.batchSize: 1 to 10 (each check may ask Argo CD within ${GATES_TIMEOUT.toSeconds()} s), got ${batchSize}`);
    }
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`GatesProps.maxReceiveCount: must be a whole number from 1 to 1000, got ${maxReceiveCount}`);
    }
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(GATES_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    // 256 MB: a check is a few Argo CD reads and one or two SQS messages.
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'gates',
      description: 'Hoist: checks the gates of chain environments against Argo CD and queues the promotions they let through',
      memorySize: 256,
      timeout: GATES_TIMEOUT,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_TABLE_NAME: props.stateTable.table.tableName,
        HOIST_EVENT_QUEUE_URL: props.eventQueue.queue.queueUrl,
        HOIST_GATE_QUEUE_URL: this.queue.queueUrl,
        HOIST_DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        // On the last receive the function dead-letters a failed check itself, with the reason.
        HOIST_MAX_RECEIVE_COUNT: String(maxReceiveCount),
      },
      extraFiles: [props.configFile],
    });
    const fn = this.handler.function;
    // Audit records, and the target states a waiting gate is shown on (read, then written).
    props.stateTable.grantPromotionState(fn);
    props.eventQueue.grantSendEvents(fn);
    this.grantScheduleChecks(fn);
    // SqsDeadLetterSink: SendMessageBatch to the dead-letter queue, authorized as sqs:SendMessage.
    this.deadLetterQueue.grant(fn, 'sqs:SendMessage');

    const secretNames = [...new Set(props.secretNames)].sort();
    if (secretNames.length > 0) {
      // Powertools' SecretsProvider calls GetSecretValue by name; IAM matches the
      // full ARN, whose last part is the name, a dash and six random characters.
      const stack = Stack.of(this);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretNames.map((name) =>
            stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ),
        }),
      );
    }

    // SqsEventSource would grant more than Lambda uses (ChangeMessageVisibility, GetQueueUrl).
    fn.addEventSourceMapping('SqsEventSource', { eventSourceArn: this.queue.queueArn, batchSize, reportBatchItemFailures: true });
    // What Lambda's event source mapping does with the role: receive, delete, read the queue's attributes.
    this.queue.grant(fn, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
  }

  /**
   * What `SqsGateScheduler` calls (`lambdas/clients/aws/sqs-gate-scheduler.ts`):
   * SendMessage to the gates queue, by the URL from the environment.
   */
  grantScheduleChecks(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grant(grantee, 'sqs:SendMessage');
  }
}
