import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

/** The promoter's timeout; the queue's visibility timeout must be at least this (we use 6x). */
export const PROMOTER_TIMEOUT = Duration.minutes(2);

export interface PromoterProps {
  readonly queue: sqs.IQueue;
  readonly stateTable: StateTable;
  /** Secrets the promoter may read: Git host tokens, Argo CD, Slack. */
  readonly secrets: readonly secretsmanager.ISecret[];
  readonly logRetention?: logs.RetentionDays;
  /** Messages per invocation. @default 10 */
  readonly batchSize?: number;
  /** Absolute path of hoist.config.yaml, bundled with the function. */
  readonly configFile: string;
}

/**
 * The promoter function on the event queue. It reports partial batch
 * failures, so only failed messages return to the queue; after the queue's
 * maxReceiveCount they move to its dead-letter queue.
 */
export class Promoter extends Construct {
  readonly handler: HoistFunction;

  constructor(scope: Construct, id: string, props: PromoterProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 10;
    if (batchSize < 1 || batchSize > 10) throw new Error(`PromoterProps.batchSize: FIFO queues allow 1 to 10, got ${batchSize}`);
    // 1 GiB: git clones and YAML edits of large values files are CPU- and memory-bound.
    this.handler = new HoistFunction(this, 'Handler', {
      functionDir: 'promoter',
      description: 'Hoist: plans and applies promotions from queued events',
      memorySize: 1024,
      timeout: PROMOTER_TIMEOUT,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      environment: { HOIST_TABLE_NAME: props.stateTable.table.tableName },
      extraFiles: [props.configFile],
    });
    props.stateTable.grantItemAccess(this.handler.function);
    for (const secret of props.secrets) secret.grantRead(this.handler.function);
    this.handler.function.addEventSource(new SqsEventSource(props.queue, { batchSize, reportBatchItemFailures: true }));
  }
}
