import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import * as z from 'zod';
import { formatZodIssues, TerminalError, UnavailableError } from '../../shared/errors';
import { redactUrl } from '../../shared/redact-url';
import { isRetryableVaultStatus, sendVaultRequest, type VaultEndpoint, vaultErrorText, vaultPathOf } from './send-vault-request';

/** Where a Vault token comes from; VaultKvClient asks it before each request. */
export interface VaultTokenSource {
  /** A token to send now (cached by the source as it sees fit). */
  token(): Promise<string>;
  /** Vault refused the last token: drop any cached one. */
  forget(): void;
}

/** A token read from somewhere else (Secrets Manager, an environment variable) that caches it itself. */
export function staticVaultToken(read: () => Promise<string>): VaultTokenSource {
  return { token: read, forget: () => {} };
}

/** AWS credentials as the SDK's providers give them; a session token comes with role credentials (Lambda). */
export type AwsCredentialsProvider = () => Promise<{ readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }>;

export interface AwsIamVaultLoginOptions extends VaultEndpoint {
  /** The Vault role to log in as. */
  readonly role: string;
  /** Where the AWS auth method is mounted. @default aws */
  readonly mount?: string;
  /** Sent (and signed) as X-Vault-AWS-IAM-Server-ID when the role requires it. */
  readonly serverId?: string;
  /** The STS region Vault is configured for. @default us-east-1 (the global endpoint) */
  readonly stsRegion?: string;
  /** @default the SDK's default chain (`defaultProvider()`): in Lambda, the function's role */
  readonly credentials?: AwsCredentialsProvider;
  /** The clock, in milliseconds, for signing and for the token's lease. @default Date.now */
  readonly now?: () => number;
}

/** The request Vault's AWS auth method forwards to STS, as Vault documents it. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
export const GET_CALLER_IDENTITY_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
/** The header a role with `iam_server_id_header_value` requires, signed with the rest. */
export const VAULT_SERVER_ID_HEADER = 'X-Vault-AWS-IAM-Server-ID';

/** How much of a lease is given up to renew before it ends: a tenth, at most a minute (longer than one request may take). */
const renewalMarginMs = (leaseMs: number): number => Math.min(leaseMs / 10, 60_000);

/** `POST /v1/auth/{mount}/login`: what Hoist reads of Vault's answer. */
const LoginAnswerSchema = z.object({
  auth: z.object({
    client_token: z.string().min(1),
    /** Seconds; 0 for a token that does not expire. */
    lease_duration: z.number().int().nonnegative(),
    renewable: z.boolean().optional(),
  }),
});

/** The STS endpoint a GetCallerIdentity request is signed for: the global one for us-east-1, else the region's. */
export function stsEndpointOf(stsRegion: string | undefined): { readonly url: string; readonly hostname: string; readonly region: string } {
  const region = stsRegion ?? 'us-east-1';
  const hostname = region === 'us-east-1' ? 'sts.amazonaws.com' : `sts.${region}.amazonaws.com`;
  return { url: `https://${hostname}/`, hostname, region };
}

/**
 * A signed `sts:GetCallerIdentity` request as the fields of Vault's IAM
 * login: method, base64 URL, base64 body and base64 JSON headers (the
 * signature among them). Vault sends it to STS to learn who signed it.
 */
export async function signedCallerIdentityRequest(options: {
  readonly credentials: AwsCredentialsProvider;
  readonly serverId?: string;
  readonly stsRegion?: string;
  readonly signingDate: Date;
}): Promise<{ iam_http_request_method: 'POST'; iam_request_url: string; iam_request_body: string; iam_request_headers: string }> {
  const sts = stsEndpointOf(options.stsRegion);
  const headers: Record<string, string> = {
    host: sts.hostname,
    'content-type': GET_CALLER_IDENTITY_CONTENT_TYPE,
  };
  // Signed with the rest: Vault refuses a server id header that is not in SignedHeaders.
  if (options.serverId !== undefined) headers[VAULT_SERVER_ID_HEADER.toLowerCase()] = options.serverId;
  // No x-amz-content-sha256 header: STS does not ask for one, and the SDK's own STS client sends none.
  const signer = new SignatureV4({ service: 'sts', region: sts.region, credentials: options.credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: sts.hostname, path: '/', query: {}, headers, body: GET_CALLER_IDENTITY_BODY },
    { signingDate: options.signingDate },
  );
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    iam_http_request_method: 'POST',
    iam_request_url: base64(sts.url),
    iam_request_body: base64(GET_CALLER_IDENTITY_BODY),
    iam_request_headers: base64(JSON.stringify(goStyleHeadersOf(signed.headers))),
  };
}

/**
 * Headers as Go's http.Header holds them, the form Vault's docs give for
 * `iam_request_headers`: canonical names (`X-Amz-Date`), each with a list
 * of values. SigV4 compares names case-insensitively, so the signature holds.
 */
function goStyleHeadersOf(headers: Readonly<Record<string, string>>): Record<string, string[]> {
  const canonical = (name: string) =>
    name
      .split('-')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
      .join('-');
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [canonical(name), [value]]));
}

/**
 * Logs in with Vault's AWS auth method (IAM type): no static token, the
 * Lambda's own role proves who it is. The token is kept until shortly before
 * its lease ends; `forget()` drops it (Vault refused it). Concurrent callers
 * share one login.
 */
export function awsIamVaultLogin(options: AwsIamVaultLoginOptions): VaultTokenSource {
  const now = options.now ?? Date.now;
  let credentials = options.credentials;
  let cached: { readonly token: string; readonly renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const login = async (): Promise<string> => {
    credentials ??= defaultProvider();
    const loginPath = `auth/${vaultPathOf('AWS auth mount', options.mount ?? 'aws')}/login`;
    const startedAt = now();
    let request: Awaited<ReturnType<typeof signedCallerIdentityRequest>>;
    try {
      request = await signedCallerIdentityRequest({ credentials, serverId: options.serverId, stsRegion: options.stsRegion, signingDate: new Date(startedAt) });
    } catch (error) {
      // The credential chain's errors name where it looked, not what it found.
      throw new UnavailableError('no AWS credentials to sign the Vault login with', { cause: error });
    }
    const answer = await sendVaultRequest(options, 'POST', loginPath, { body: { role: options.role, ...request } });
    const where = `Vault at ${redactUrl(options.url)}`;
    if (answer.status !== 200) {
      const message = `${where} refused the AWS IAM login as role '${options.role}' (${answer.status}): ${vaultErrorText(answer.body)}`;
      throw isRetryableVaultStatus(answer.status) ? new UnavailableError(message) : new TerminalError(message);
    }
    const parsed = LoginAnswerSchema.safeParse(answer.body);
    if (!parsed.success) throw new TerminalError(`${where} answered the AWS IAM login with an unexpected body: ${formatZodIssues(parsed.error.issues)}`);
    const leaseMs = parsed.data.auth.lease_duration * 1000;
    cached = { token: parsed.data.auth.client_token, renewAt: leaseMs === 0 ? Number.POSITIVE_INFINITY : startedAt + leaseMs - renewalMarginMs(leaseMs) };
    return parsed.data.auth.client_token;
  };

  return {
    token: () => {
      if (cached !== undefined && now() < cached.renewAt) return Promise.resolve(cached.token);
      pending ??= login().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    forget: () => {
      cached = undefined;
    },
  };
}
