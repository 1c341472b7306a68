import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { EKS_TOKEN_PREFIX, eksTokenSource, signEksToken } from '../../../../lambdas/clients/eks/eks-token';
import { UnavailableError } from '../../../../lambdas/shared/errors';
import { rejectionOf } from '../../../support/rejection-of';

/** AWS's documentation example key pair; never valid anywhere. */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjE+/session==' };
const NOW = Date.parse('2024-05-01T12:00:00Z');

/** The presigned URL inside a token, as aws-iam-authenticator reads it: strip the prefix, base64url-decode. */
function urlOf(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  // base64url without padding: no '+', '/' or '='.
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('signEksToken', () => {
  it('presigns GetCallerIdentity on the regional STS endpoint with x-k8s-aws-id signed, in the k8s-aws-v1 form', async () => {
    const token = await signEksToken({ clusterName: 'hoist-platform', region: 'eu-west-1', credentials: async () => CREDENTIALS, signingDate: new Date(NOW) });
    const url = urlOf(token);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://sts.eu-west-1.amazonaws.com/');
    const query = Object.fromEntries(url.searchParams);
    expect(query).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20240501T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Security-Token': CREDENTIALS.sessionToken,
    });
    expect(query['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    // aws-iam-authenticator refuses any query parameter outside its list.
    expect(Object.keys(query).sort()).toEqual(
      [
        'Action',
        'Version',
        'X-Amz-Algorithm',
        'X-Amz-Credential',
        'X-Amz-Date',
        'X-Amz-Expires',
        'X-Amz-Security-Token',
        'X-Amz-Signature',
        'X-Amz-SignedHeaders',
      ].sort(),
    );
    // EKS tokens are at most 4 KiB.
    expect(token.length).toBeLessThan(4096);
  });

  it('signs what STS will check: the same request presigned from scratch has the same signature', async () => {
    const token = await signEksToken({ clusterName: 'hoist-platform', region: 'eu-west-1', credentials: async () => CREDENTIALS, signingDate: new Date(NOW) });
    const host = 'sts.eu-west-1.amazonaws.com';
    const signer = new SignatureV4({ service: 'sts', region: 'eu-west-1', credentials: CREDENTIALS, sha256: Sha256 });
    const expected = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: host,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host, 'x-k8s-aws-id': 'hoist-platform' },
      },
      { expiresIn: 60, signingDate: new Date(NOW) },
    );
    expect(urlOf(token).searchParams.get('X-Amz-Signature')).toBe(expected.query?.['X-Amz-Signature']);
    // The cluster name is part of what is signed: another cluster, another signature.
    const other = await signEksToken({ clusterName: 'other', region: 'eu-west-1', credentials: async () => CREDENTIALS, signingDate: new Date(NOW) });
    expect(urlOf(other).searchParams.get('X-Amz-Signature')).not.toBe(expected.query?.['X-Amz-Signature']);
  });

  it('uses the China partition host for cn- regions', async () => {
    const token = await signEksToken({ clusterName: 'c', region: 'cn-north-1', credentials: async () => CREDENTIALS, signingDate: new Date(NOW) });
    expect(urlOf(token).host).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('eksTokenSource', () => {
  it('keeps a token for 14 of its 15 minutes, then signs a new one; forget() drops it', async () => {
    let now = NOW;
    const source = eksTokenSource({ clusterName: 'hoist-platform', region: 'eu-west-1', credentials: async () => CREDENTIALS, now: () => now });
    const first = await source.token();
    now = NOW + 14 * 60_000 - 1;
    expect(await source.token()).toBe(first);
    now = NOW + 14 * 60_000;
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(urlOf(second).searchParams.get('X-Amz-Date')).toBe('20240501T121400Z');
    source.forget();
    now += 1000;
    expect(await source.token()).not.toBe(second);
  });

  it('answers UnavailableError, without the chain error in the message, when there are no credentials', async () => {
    const source = eksTokenSource({
      clusterName: 'hoist-platform',
      region: 'eu-west-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });
    const error = await rejectionOf(source.token());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('no AWS credentials to sign the EKS token for cluster hoist-platform with');
  });
});
