/** One challenge of a `WWW-Authenticate` header: its scheme (lower-case) and auth-params (names lower-case). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = String.raw`[!#$%&'*+.^_\x60|~0-9A-Za-z-]+`;
const SCHEME = new RegExp(TOKEN, 'y');
/** `name = token` or `name = "quoted \"string\""`, then a comma or the end. */
const PARAM = new RegExp(String.raw`[ \t]*(${TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|${TOKEN})[ \t]*(?:,|$)`, 'y');
const SEPARATORS = /[\s,]*/y;
/** Credentials in token68 form (`Basic dXNlcjpwYXNz`): not auth-params; skipped. */
const TOKEN68 = /[ \t]+[A-Za-z0-9._~+/-]+=*[ \t]*(?:,|$)/y;

/**
 * The challenges of a `WWW-Authenticate` header (RFC 9110 §11.6.1), e.g.
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`.
 * Quoted values keep their commas (`scope="repository:a/b:pull,push"`);
 * several challenges, in one header or joined by fetch from several, come
 * out in order. Token68 credentials are not auth-params and are skipped.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let at = 0;
  while (at < header.length) {
    SEPARATORS.lastIndex = at;
    SEPARATORS.exec(header);
    SCHEME.lastIndex = SEPARATORS.lastIndex;
    const scheme = SCHEME.exec(header);
    if (scheme === null) break;
    at = SCHEME.lastIndex;
    const params: Record<string, string> = {};
    TOKEN68.lastIndex = at;
    PARAM.lastIndex = at;
    if (!PARAM.test(header) && TOKEN68.test(header)) at = TOKEN68.lastIndex;
    for (;;) {
      PARAM.lastIndex = at;
      const param = PARAM.exec(header);
      if (param === null) break;
      const [, key = '', raw = ''] = param;
      params[key.toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      at = PARAM.lastIndex;
    }
    challenges.push({ scheme: scheme[0].toLowerCase(), params });
  }
  return challenges;
}
