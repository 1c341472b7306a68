import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';
import type { Gates } from './gates';
import { HoistFunction } from './hoist-function';
import type { StateTable } from './state-table';

/** The promoter's timeout; the queue's visibility timeout must be at least this (we use 6x). */
export const PROMOTER_TIMEOUT = Duration.minutes(2);

export interface PromoterProps {
  readonly eventQueue: EventQueue;
  readonly stateTable: StateTable;
  /** Names of the existing secrets the promoter may read: Git host tokens, Argo CD, Slack. */
  readonly secretNames: readonly string[];
  /**
   * ECR repositories (names, in this stack's account and region) whose image
   * push times the promoter may look up; the same list the ECR push rule watches.
   * @default none
   */
  readonly ecrRepositories?: readonly string[];
  readonly logRetention?: logs.RetentionDays;
  /** Messages per invocation. @default 10 */
  readonly batchSize?: number;
  /** Absolute path of the promotion config as synth validated it (hoist.config.json, see writeShippedConfig), bundled with the function. */
  readonly configFile: string;
  /**
   * Where the promoter opens the gates of environments that follow the one
   * it just committed to (`HOIST_GATE_QUEUE_URL`, `sqs:SendMessage`).
   * @default none: no environment follows another
   */
  readonly gates?: Gates;
}

/**
 * The promoter function on the event queue. It reports partial batch
 * failures, so only failed messages return to the queue; after the queue's
 * maxReceiveCount they move to its dead-letter queue.
 *
 * Its role may: consume the event queue, send what no retry can help to its
 * dead-letter queue, read and write target states, tag history and audit
 * records, read the named secrets (`GetSecretValue`), describe the images
 * of the named ECR repositories (`DescribeImages`), and, with `gates`, send
 * gate checks to the gates queue.
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
      environment: {
        HOIST_TABLE_NAME: props.stateTable.table.tableName,
        HOIST_DEAD_LETTER_QUEUE_URL: props.eventQueue.deadLetterQueue.queueUrl,
        HOIST_EVENT_QUEUE_URL: props.eventQueue.queue.queueUrl,
      },
      extraFiles: [props.configFile],
    });
    const fn = this.handler.function;
    props.stateTable.grantPromotionState(fn);
    // Outcomes of CI promotion requests: read, merged with this batch, written back.
    props.stateTable.grantPromotionOutcomes(fn);

    const stack = Stack.of(this);
    const secretNames = [...new Set(props.secretNames)].sort();
    if (secretNames.length > 0) {
      // Powertools' SecretsProvider calls GetSecretValue by name; IAM matches the
      // full ARN, whose last part is the name, a dash and six random characters.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretNames.map((name) =>
            stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ),
        }),
      );
    }
    props.eventQueue.grantSendDeadLetters(fn);
    props.eventQueue.grantRetryEventsLater(fn);
    if (props.gates !== undefined) {
      fn.addEnvironment('HOIST_GATE_QUEUE_URL', props.gates.queue.queueUrl);
      props.gates.grantScheduleChecks(fn);
    }
    const repositories = [...new Set(props.ecrRepositories ?? [])].sort();
    if (repositories.length > 0) {
      // The runtime asks ECR only about these, in this account and region; anything else has no push time from ECR.
      fn.addEnvironment('HOIST_ECR_REPOSITORIES', repositories.map((name) => `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${name}`).join(','));
      // DescribeImages tells a tag's push time, which orders `latest` and regex policies without an order group.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ecr:DescribeImages'],
          resources: repositories.map((name) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name })),
        }),
      );
    }

    // The mapping keeps the id SqsEventSource gave it, so deployed stacks keep
    // their mapping; SqsEventSource itself would grant more than Lambda uses.
    fn.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(props.eventQueue.queue.node)}`, {
      eventSourceArn: props.eventQueue.queue.queueArn,
      batchSize,
      reportBatchItemFailures: true,
    });
    props.eventQueue.grantConsumeEvents(fn);
  }
}
