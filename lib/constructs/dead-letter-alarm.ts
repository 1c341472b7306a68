import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmOnAny } from './alarm-on-any';

export interface DeadLetterAlarmProps {
  readonly queue: sqs.IQueue;
  readonly topic: sns.ITopic;
  /** Says in the alarm what lands in this queue. */
  readonly description: string;
}

/** Alarms as soon as a dead-letter queue holds any message: each one needs a person. */
export class DeadLetterAlarm extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmProps) {
    super(scope, id);
    this.alarm = alarmOnAny(
      this,
      props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      props.topic,
      props.description,
    );
  }
}
