import { createServer, type Server } from 'node:http';
import { listenLocal } from './listen-local';

/** One call the fake received: the operation from `X-Amz-Target` and the parsed JSON body. */
export interface AwsJsonCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

/** An operation's answer: a JSON body, or an AWS error (`__type` and message) with its status. */
export type AwsJsonAnswer =
  | { readonly status?: 200; readonly body: Record<string, unknown> }
  | { readonly status: 400 | 500; readonly errorType: string; readonly message: string };

export interface FakeAwsJsonService {
  readonly endpoint: string;
  readonly calls: AwsJsonCall[];
  close(): Promise<void>;
}

/**
 * A local server speaking the AWS JSON protocol (1.0 and 1.1) as documented
 * in the Smithy "AWS JSON protocols" specification: POST to `/`, operation in
 * `X-Amz-Target: <Service>.<Operation>`, JSON body, errors as a 400 with
 * `__type` naming the error shape. SQS and Secrets Manager both speak it.
 * Requests are not signature-checked; the SDK signs them with the test's
 * dummy credentials as usual.
 */
export async function startFakeAwsJsonService(answer: (call: AwsJsonCall) => AwsJsonAnswer): Promise<FakeAwsJsonService> {
  const calls: AwsJsonCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const text = Buffer.concat(chunks).toString('utf8');
      const call = { target, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
      calls.push(call);
      const result = answer(call);
      const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.0');
      if ('errorType' in result) {
        res.writeHead(result.status, { 'content-type': contentType, 'x-amzn-query-error': `${result.errorType};Sender` });
        res.end(JSON.stringify({ __type: result.errorType, message: result.message }));
        return;
      }
      res.writeHead(200, { 'content-type': contentType });
      res.end(JSON.stringify(result.body));
    });
  });
  const local = await listenLocal(server);
  return { endpoint: local.origin, calls, close: local.close };
}

/** Static credentials for SDK clients pointed at local fakes. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };
