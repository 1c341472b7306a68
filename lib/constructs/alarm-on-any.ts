import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * An alarm, added to `scope` as `Alarm`, that fires on the first period in
 * which `metric` is above zero and tells `topic`; no data is no alarm.
 */
export function alarmOnAny(scope: Construct, metric: cloudwatch.Metric, topic: sns.ITopic, description: string): cloudwatch.Alarm {
  const alarm = metric.createAlarm(scope, 'Alarm', {
    alarmDescription: description,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}
