import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliverEvents, eventDeadLetterQueue } from './deliver-events';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import type { SecretChangeRule } from './secret-change-rule';

export interface SecretEventIntakeProps {
  /** The rule whose events the function receives. */
  readonly rule: SecretChangeRule;
  /** The secrets queue (not the promotion queue). */
  readonly secretQueue: EventQueue;
  /** Secret name prefixes in scope; the rule's. */
  readonly namePrefixes: readonly string[];
  /** Exact secret names in scope; the rule's. @default none */
  readonly secretNames?: readonly string[];
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Secret-change intake: the secret-event function as the target of the
 * Secrets Manager change rule. It turns each CloudTrail-recorded change
 * into a queued message naming the secret (never its value). Events the rule
 * cannot deliver, and invocations that keep failing, land in one
 * dead-letter queue.
 *
 * Its role may send to the secrets queue and to its own dead-letter queue,
 * nothing else: it reads no secret.
 */
export class SecretEventIntake extends Construct {
  readonly handler: HoistFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SecretEventIntakeProps) {
    super(scope, id);
    const prefixes = [...new Set(props.namePrefixes)].sort();
    const names = [...new Set(props.secretNames ?? [])].sort();
    if (prefixes.length + names.length === 0) throw new Error('SecretEventIntakeProps.namePrefixes: name at least one prefix or secret name');
    this.deadLetterQueue = eventDeadLetterQueue(this);
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'secret-event',
      description: 'Hoist: queues Secrets Manager changes recorded by CloudTrail',
      memorySize: 256,
      timeout: Duration.seconds(30),
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_SECRET_QUEUE_URL: props.secretQueue.queue.queueUrl,
        HOIST_SECRET_PREFIXES: prefixes.join(','),
        HOIST_SECRET_NAMES: names.join(','),
      },
    });
    props.secretQueue.grantSendEvents(this.handler.function);

    deliverEvents(props.rule.rule, this.handler.function, this.deadLetterQueue);
  }
}
