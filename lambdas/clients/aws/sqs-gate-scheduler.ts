import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { GateScheduler } from '../../core/ports';
import { type GateCheck, GateCheckSchema } from '../../core/promotion/gate-check';
import { formatZodIssues, TerminalError } from '../../shared/errors';

export interface SqsGateSchedulerProps {
  readonly client: SQSClient;
  /** URL of the gates queue: a standard queue, since FIFO queues take no per-message delay. */
  readonly queueUrl: string;
}

/** SQS's per-message `DelaySeconds`: a whole number from 0 to 900 (15 minutes). */
export const MAX_SQS_DELAY_SECONDS = 900;

/** The delay SQS accepts for `seconds`: rounded up to whole seconds, within 0–900; not a number means at once. */
export function sqsDelayOf(seconds: number): number {
  if (Number.isNaN(seconds)) return 0;
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(seconds)));
}

/**
 * Puts a gate check on the gates queue with SendMessage and `DelaySeconds`,
 * so it comes back after the delay without a function waiting for it. The
 * check is validated first: the gates function would dead-letter a body
 * it cannot parse, so a bad one is refused here, where its cause is.
 */
export class SqsGateScheduler implements GateScheduler {
  constructor(private readonly props: SqsGateSchedulerProps) {}

  async schedule(check: GateCheck, delaySeconds: number): Promise<void> {
    const parsed = GateCheckSchema.safeParse(check);
    if (!parsed.success) throw new TerminalError(`gate check ${check.id} is not valid: ${formatZodIssues(parsed.error.issues)}`);
    await this.props.client.send(
      new SendMessageCommand({
        QueueUrl: this.props.queueUrl,
        MessageBody: JSON.stringify(parsed.data),
        DelaySeconds: sqsDelayOf(delaySeconds),
      }),
    );
  }
}
