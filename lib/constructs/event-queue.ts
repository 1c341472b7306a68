import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface EventQueueProps {
  /**
   * How long a consumer may hold a message; must be at least the promoter's
   * timeout (AWS recommends six times it for Lambda event sources).
   * @default 6 minutes
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

const defaultProps = { visibilityTimeout: Duration.minutes(6), maxReceiveCount: 5 } satisfies Required<EventQueueProps>;

/**
 * The FIFO queue of verified events and its dead-letter queue. FIFO keeps the
 * events of one message group (one image or Git repository) in order;
 * content-based de-duplication is off because senders set explicit ids.
 */
export class EventQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Receives of a message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: EventQueueProps = {}) {
    super(scope, id);
    const { visibilityTimeout, maxReceiveCount } = { ...defaultProps, ...props };
    this.maxReceiveCount = maxReceiveCount;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`EventQueueProps.maxReceiveCount: must be a whole number from 1 to 1000, got ${maxReceiveCount}`);
    }
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      fifo: true,
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }

  /**
   * What the intake functions' queue client calls (`lambdas/clients/aws/sqs-event-queue.ts`):
   * `SendMessageBatch` by the queue URL, which IAM authorizes as `sqs:SendMessage`.
   * The URL comes from the environment, so no `GetQueueUrl`.
   */
  grantSendEvents(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grant(grantee, 'sqs:SendMessage');
  }

  /**
   * What Lambda's event source mapping does with the consumer's role: receive,
   * delete, and read the queue's attributes (the actions of AWS's
   * `AWSLambdaSQSQueueExecutionRole`). The function's own code calls nothing on SQS.
   */
  grantConsumeEvents(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grant(grantee, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
  }

  /**
   * What the promoter's dead-letter client calls (`lambdas/clients/aws/sqs-dead-letter-sink.ts`):
   * `SendMessageBatch` to the dead-letter queue, for messages no retry can help.
   */
  grantSendDeadLetters(grantee: iam.IGrantable): iam.Grant {
    return this.deadLetterQueue.grant(grantee, 'sqs:SendMessage');
  }

  /**
   * What the promoter calls when a group must wait (`lambdas/clients/aws/sqs-retry-after.ts`):
   * `ChangeMessageVisibilityBatch`, which IAM authorizes as `sqs:ChangeMessageVisibility`.
   */
  grantRetryEventsLater(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grant(grantee, 'sqs:ChangeMessageVisibility');
  }
}
