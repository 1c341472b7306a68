import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UnavailableError } from '../../shared/errors';
import type { AwsCredentialsProvider } from '../vault/vault-token';

/** What an EKS bearer token starts with; the rest is the presigned URL, base64url without padding. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds a token to one cluster: signed with the rest, so the token is good for that cluster alone. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/**
 * STS ignores X-Amz-Expires on this request: EKS accepts the token for 15
 * minutes after its X-Amz-Date. aws-iam-authenticator and `aws eks
 * get-token` send 60, and older authenticators refuse anything above it.
 */
const PRESIGN_EXPIRES_SECONDS = 60;
/** How long EKS accepts a token after it was signed. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
/** A token is signed again a minute before EKS would refuse it, as `aws eks get-token` does (it reports 14 minutes). */
const RENEW_MARGIN_MS = 60_000;

/** The regional STS host the token is signed for (EKS accepts the regional endpoints of its partition). */
export function stsHostnameOf(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/**
 * An EKS bearer token: `sts:GetCallerIdentity` presigned (GET, query
 * parameters only, as the authenticator allows no others) with the cluster
 * name in the signed `x-k8s-aws-id` header. EKS sends the URL to STS to learn
 * who signed it, then maps that IAM principal through its access entries.
 */
export async function signEksToken(options: {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  readonly signingDate: Date;
}): Promise<string> {
  const hostname = stsHostnameOf(options.region);
  const signer = new SignatureV4({ service: 'sts', region: options.region, credentials: options.credentials, sha256: Sha256, applyChecksum: false });
  // Only x-amz-* headers are moved into the query; x-k8s-aws-id stays a header and is signed as one.
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: options.signingDate },
  );
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(name, item);
  }
  const url = `https://${hostname}/?${query.toString()}`;
  return `${EKS_TOKEN_PREFIX}${Buffer.from(url, 'utf8').toString('base64url')}`;
}

/** Where the EKS client gets its bearer token; `forget()` drops a cached one the cluster refused. */
export interface EksTokenSource {
  token(): Promise<string>;
  forget(): void;
}

export interface EksTokenSourceOptions {
  readonly clusterName: string;
  /** The cluster's region, whose STS endpoint signs the token. */
  readonly region: string;
  /** @default the SDK's default chain (`defaultProvider()`): in Lambda, the function's role */
  readonly credentials?: AwsCredentialsProvider;
  /** The clock, in milliseconds, for signing and for the token's lifetime. @default Date.now */
  readonly now?: () => number;
}

/**
 * EKS bearer tokens of the function's own IAM identity, each kept until a
 * minute before its 15 minutes run out. Signing is local (no call to STS);
 * only the credential chain may reach out, the first time.
 */
export function eksTokenSource(options: EksTokenSourceOptions): EksTokenSource {
  const now = options.now ?? Date.now;
  let credentials = options.credentials;
  let cached: { readonly token: string; readonly renewAt: number } | undefined;
  return {
    token: async () => {
      const at = now();
      if (cached !== undefined && at < cached.renewAt) return cached.token;
      credentials ??= defaultProvider();
      let token: string;
      try {
        token = await signEksToken({ clusterName: options.clusterName, region: options.region, credentials, signingDate: new Date(at) });
      } catch (error) {
        // The credential chain's errors name where it looked, not what it found.
        throw new UnavailableError(`no AWS credentials to sign the EKS token for cluster ${options.clusterName} with`, { cause: error });
      }
      cached = { token, renewAt: at + EKS_TOKEN_LIFETIME_MS - RENEW_MARGIN_MS };
      return token;
    },
    forget: () => {
      cached = undefined;
    },
  };
}
