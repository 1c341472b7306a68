import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context for running handlers in-process (dev server, benchmarks).
 * A class, so a request builds one object and no closures.
 */
class LocalLambdaContext implements Context {
  readonly callbackWaitsForEmptyEventLoop = false;
  readonly functionVersion = '$LATEST';
  readonly memoryLimitInMB = '256';
  readonly logStreamName = 'local';
  readonly invokedFunctionArn: string;
  readonly awsRequestId = randomUUID();
  readonly logGroupName: string;
  private readonly deadline: number;

  constructor(
    readonly functionName: string,
    timeoutMs: number,
  ) {
    this.invokedFunctionArn = `arn:aws:lambda:local:000000000000:function:${functionName}`;
    this.logGroupName = `/local/${functionName}`;
    this.deadline = Date.now() + timeoutMs;
  }

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  done(): void {}
  fail(): void {}
  succeed(): void {}
}

export function localLambdaContext(functionName: string, timeoutMs = 30_000): Context {
  return new LocalLambdaContext(functionName, timeoutMs);
}
