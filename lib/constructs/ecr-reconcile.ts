import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import { HoistFunction } from './hoist-function';
import { scheduleFunction } from './schedule-function';
import type { StateTable } from './state-table';

export interface EcrReconcileProps {
  /** ECR repository names (in this stack's account and region) to reconcile; at least one, the same list the push rule watches. */
  readonly repositories: readonly string[];
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** How often the reconcile runs; whole minutes, from 1 minute to 1 day. @default Duration.minutes(10) */
  readonly every?: Duration;
  /** Images per repository, newest first, looked at in each run; 1 to 100. @default 10 */
  readonly newest?: number;
  /** How long a delivery id is remembered; the same as the intake functions'. @default 7 */
  readonly deliveryTtlDays?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** The promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled so that events are queued per GitOps branch. @default none: ordered by source */
  readonly configFile?: string;
}

const defaultProps = { every: Duration.minutes(10), newest: 10, deliveryTtlDays: 7 };

/**
 * The ECR reconcile: a function that lists the newest images of the watched
 * repositories and queues the pushes whose EventBridge event never came,
 * run by an EventBridge Scheduler schedule. It keys each push as the
 * ECR-event function does, so nothing is queued twice.
 *
 * Its role may: describe the images of exactly the named repositories
 * (`DescribeImages`), claim deliveries in the ledger, and send to the event
 * queue. The schedule's role may invoke the function and nothing else.
 */
export class EcrReconcile extends Construct {
  readonly handler: HoistFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: EcrReconcileProps) {
    super(scope, id);
    const { every, newest, deliveryTtlDays } = { ...defaultProps, ...props };
    const repositories = [...new Set(props.repositories)].sort();
    if (repositories.length === 0) {
      throw new Error('EcrReconcileProps.repositories: name at least one ECR repository (config automation.ecrRepositories or platform.ecr.repositories)');
    }
    const minutes = every.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw new Error(`EcrReconcileProps.every: expected whole minutes from 1 to 1440, got ${every.toHumanString()}`);
    }
    if (!Number.isInteger(newest) || newest < 1 || newest > 100) {
      throw new Error(`EcrReconcileProps.newest: expected a whole number from 1 to 100, got ${newest}`);
    }

    const stack = Stack.of(this);
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'reconcile',
      description: 'Hoist: lists the newest ECR images and queues pushes their events missed',
      memorySize: 256,
      // Every page of every repository, then one ledger claim and one queue write per new image.
      timeout: Duration.minutes(2),
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: {
        HOIST_EVENT_QUEUE_URL: props.eventQueue.queue.queueUrl,
        HOIST_TABLE_NAME: props.stateTable.table.tableName,
        HOIST_DELIVERY_TTL_SECONDS: String(deliveryTtlDays * 24 * 3600),
        // The same image names the ECR-event function builds from an event, so the delivery keys match.
        HOIST_ECR_REPOSITORIES: repositories.map((name) => `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${name}`).join(','),
        HOIST_RECONCILE_NEWEST: String(newest),
      },
      ...(props.configFile ? { extraFiles: [props.configFile] } : {}),
    });
    const fn = this.handler.function;
    // A failed run is not retried: the next scheduled run is the retry, and it is idempotent.
    fn.configureAsyncInvoke({ retryAttempts: 0 });
    // DescribeImages (every page, tagged images) of the watched repositories only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecr:DescribeImages'],
        resources: repositories.map((name) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name })),
      }),
    );
    props.stateTable.grantDeliveryLedger(fn);
    props.eventQueue.grantSendEvents(fn);

    this.schedule = scheduleFunction(this, fn, {
      every,
      description: 'Hoist: reconcile the newest ECR images with what was queued',
      roleDescription: 'Lets EventBridge Scheduler invoke the Hoist reconcile function',
    });
  }
}
