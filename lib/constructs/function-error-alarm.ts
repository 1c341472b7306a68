import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmOnAny } from './alarm-on-any';

export interface FunctionErrorAlarmProps {
  readonly function: lambda.IFunction;
  readonly topic: sns.ITopic;
  /** Says in the alarm what failed and what it means. */
  readonly description: string;
}

/**
 * Alarms as soon as a function fails an invocation: for scheduled functions
 * whose failed runs are not retried, the next run being the retry.
 */
export class FunctionErrorAlarm extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FunctionErrorAlarmProps) {
    super(scope, id);
    this.alarm = alarmOnAny(this, props.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), props.topic, props.description);
  }
}
