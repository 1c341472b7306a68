import { type Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';

export interface ScheduleFunctionOptions {
  readonly every: Duration;
  /** What the schedule is for, on the schedule. */
  readonly description: string;
  /** What the role lets Scheduler do, on the role. */
  readonly roleDescription: string;
}

/**
 * Invokes `fn` every `options.every` through EventBridge Scheduler, with a
 * role of the schedule's own (rather than the stack-wide one CDK would share
 * between schedules) and no retries: they would only overlap the next run.
 * Adds `ScheduleRole` and `Schedule` to `scope`, under those construct ids.
 */
export function scheduleFunction(scope: Construct, fn: lambda.IFunction, options: ScheduleFunctionOptions): scheduler.Schedule {
  const role = new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    description: options.roleDescription,
  });
  const schedule = new scheduler.Schedule(scope, 'Schedule', {
    description: options.description,
    schedule: scheduler.ScheduleExpression.rate(options.every),
    target: new targets.LambdaInvoke(fn, { role, retryAttempts: 0 }),
  });
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "LambdaInvoke grants lambda:InvokeFunction on the function and its qualified ARNs (<arn>:*, its versions and aliases); they are this one function's, and it publishes none.",
        appliesTo: [{ regex: '/^Resource::<.*HandlerFunction[0-9A-F]{8}\\.Arn>:\\*$/g' }],
      },
    ],
    true,
  );
  return schedule;
}
