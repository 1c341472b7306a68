import * as z from 'zod';
import { TerminalError } from '../../shared/errors';
import type { RegistryCredentials } from './oci-image-registry';

const CredentialsSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/**
 * Reads registry credentials from a secret's text: a JSON document
 * `{"username": …, "password": …}`. A malformed secret is a TerminalError
 * that names where it came from, never what it holds.
 */
export function parseRegistryCredentials(text: string, from: string): RegistryCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const result = CredentialsSchema.safeParse(raw);
  if (!result.success) throw new TerminalError(`registry credentials in ${from} must be a JSON document with username and password`);
  return result.data;
}
