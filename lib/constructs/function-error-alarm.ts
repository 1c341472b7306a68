import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

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
    this.alarm = props.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'Alarm', {
      alarmDescription: props.description,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
  }
}
