import { createServer } from 'node:http';
import { listenLocal } from './listen-local';

export interface FakeSlack {
  readonly url: string;
  readonly messages: Array<{ text: string; blocks: unknown[] }>;
  close(): Promise<void>;
}

/**
 * A local Slack incoming webhook as documented: POST JSON; `200 ok` on
 * success, `400 invalid_payload` for a body that is not JSON, `400
 * no_text` when neither text nor blocks are given.
 */
export async function startFakeSlack(): Promise<FakeSlack> {
  const messages: Array<{ text: string; blocks: unknown[] }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { text?: string; blocks?: unknown[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400).end('invalid_payload');
        return;
      }
      if (!body.text && !body.blocks) {
        res.writeHead(400).end('no_text');
        return;
      }
      messages.push({ text: body.text ?? '', blocks: body.blocks ?? [] });
      res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
    });
  });
  const local = await listenLocal(server);
  return {
    url: `${local.origin}/services/T000/B000/XXXX`,
    messages,
    close: local.close,
  };
}
