import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import { scheduleFunction } from './schedule-function';

export interface SecretsReconcileProps {
  /** The secrets queue. */
  readonly secretQueue: EventQueue;
  /** Secret name prefixes to list; the sync's. */
  readonly namePrefixes: readonly string[];
  /** Exact secret names to list besides. @default none */
  readonly secretNames?: readonly string[];
  /** How often the reconcile runs; whole minutes, from 1 minute to 1 day. @default Duration.minutes(60) */
  readonly every?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

const defaultProps = { every: Duration.minutes(60), secretNames: [] } satisfies Partial<SecretsReconcileProps>;

/**
 * The secrets reconcile: a function that lists the synced secrets and queues
 * each one for the sync, so that it repairs what CloudTrail events missed and
 * what was changed in Vault by hand; run by an EventBridge Scheduler schedule.
 *
 * Its role may list secrets (`ListSecrets`, which has no resource-level
 * permissions; it shows names, tags and dates, never a value) and send to the
 * secrets queue. The schedule's role may invoke the function and nothing else.
 */
export class SecretsReconcile extends Construct {
  readonly handler: HoistFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: SecretsReconcileProps) {
    super(scope, id);
    const { every, secretNames } = { ...defaultProps, ...props };
    const prefixes = [...new Set(props.namePrefixes)].sort();
    const names = [...new Set(secretNames)].sort();
    if (prefixes.length + names.length === 0) throw new Error('SecretsReconcileProps.namePrefixes: name at least one prefix or secret name');
    const minutes = every.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw new Error(`SecretsReconcileProps.every: expected whole minutes from 1 to 1440, got ${every.toHumanString()}`);
    }

    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'secrets-reconcile',
      description: 'Hoist: lists the synced secrets and queues each one so the sync repairs drift',
      memorySize: 256,
      timeout: Duration.minutes(2),
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_SECRET_QUEUE_URL: props.secretQueue.queue.queueUrl,
        HOIST_SECRET_PREFIXES: prefixes.join(','),
        HOIST_SECRET_NAMES: names.join(','),
      },
    });
    const fn = this.handler.function;
    // A failed run is not retried: the next scheduled run is the retry.
    fn.configureAsyncInvoke({ retryAttempts: 0 });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
    props.secretQueue.grantSendEvents(fn);
    NagSuppressions.addResourceSuppressions(
      this.handler.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'secretsmanager:ListSecrets supports no resource-level permissions; it lists names, tags and dates, never a value.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );

    this.schedule = scheduleFunction(this, fn, {
      every,
      description: 'Hoist: queue every synced secret so the sync repairs drift',
      roleDescription: 'Lets EventBridge Scheduler invoke the Hoist secrets-reconcile function',
    });
  }
}
