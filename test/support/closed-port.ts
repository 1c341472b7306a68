import { createServer } from 'node:http';
import { listenLocal } from './listen-local';

/** The origin of a loopback port that was free a moment ago and has nothing listening now: connections to it are refused. */
export async function closedLocalOrigin(): Promise<string> {
  const local = await listenLocal(createServer());
  await local.close();
  return local.origin;
}
