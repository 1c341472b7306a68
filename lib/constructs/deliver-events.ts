import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';

/**
 * The dead-letter queue of an EventBridge-invoked function: where an event
 * lands that EventBridge could not deliver, or that the function failed on
 * every attempt. Added to `scope` as `DeadLetters`.
 */
export function eventDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  NagSuppressions.addResourceSuppressions(queue, [
    {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge target and the on-failure destination of the function.',
    },
  ]);
  return queue;
}

/**
 * Makes `fn` the target of `rule` so that no event is lost: EventBridge
 * retries delivery for a day, the function's own async invocation retries
 * twice, and what still fails goes to `deadLetterQueue`.
 */
export function deliverEvents(rule: events.Rule, fn: lambda.Function, deadLetterQueue: sqs.IQueue): void {
  const onFailure: lambda.IDestination = {
    // Lambda sends a failed invocation's record with the function's role and
    // needs sqs:SendMessage only; SqsDestination would also grant
    // GetQueueAttributes and GetQueueUrl.
    bind: (_scope, bound) => {
      deadLetterQueue.grant(bound, 'sqs:SendMessage');
      return { destination: deadLetterQueue.queueArn };
    },
  };
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure });
  rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) }));
}
