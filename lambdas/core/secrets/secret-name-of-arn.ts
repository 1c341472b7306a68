/** The `:secret:` part of a Secrets Manager secret ARN. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;
/** Secrets Manager ends every full ARN with a dash and six random characters. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** Whether `secretId` is a secret ARN rather than a name. */
export function isSecretArn(secretId: string): boolean {
  return SECRET_ARN.test(secretId);
}

/**
 * The secret name in a full secret ARN (`…:secret:hoist/apps/api/dev-AbC123` →
 * `hoist/apps/api/dev`); undefined when `arn` is not a secret ARN.
 */
export function secretNameOfArn(arn: string): string | undefined {
  const resource = SECRET_ARN.exec(arn)?.[1];
  return resource?.replace(RANDOM_SUFFIX, '');
}
