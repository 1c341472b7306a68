/**
 * `text` with every given secret, and the credentials of any URL
 * (`https://user:token@host` → `https://***@host`), replaced by `***`, so a
 * host's or git's message can be put into an error without leaking them.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]+@/gi, '$1***@');
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; they are not credentials worth the name.
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
