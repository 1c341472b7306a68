import * as z from 'zod';
import type { ApplicationStatus, ArgoCdRefresher } from '../core/ports';
import { TerminalError, UnavailableError } from '../shared/errors';
import { redactUrl, redactUrls } from '../shared/redact-url';
import { isUnderSourcePath } from './argocd-source-path';

/** Argo CD refused a request: its HTTP status says why. */
class ArgoCdAnswerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The part of an Application Hoist reads: `status.sync.{status,revision}` and `status.health.status`. */
const ApplicationStatusSchema = z.object({
  status: z
    .object({
      sync: z.object({ status: z.string().optional(), revision: z.string().optional() }).optional(),
      health: z.object({ status: z.string().optional() }).optional(),
    })
    .optional(),
});

export interface ArgoCdClientOptions {
  /** Argo CD's base URL, e.g. https://argocd.example.com */
  readonly url: string;
  /** An API token of Hoist's Argo CD account, or how to fetch it (read on each call; cache in the source). */
  readonly token: string | (() => Promise<string>);
  readonly refresh?: 'normal' | 'hard';
  /** Also start a sync after the refresh. @default false */
  readonly sync?: boolean;
  readonly fetch?: typeof fetch;
}

/**
 * Argo CD's REST API: `GET /api/v1/applications/{name}?refresh=normal|hard`
 * makes Argo CD compare with Git now; `POST /api/v1/applications/{name}/sync`
 * starts a sync; `GET /api/v1/applications?repo=` lists applications of a repository.
 */
export class ArgoCdClient implements ArgoCdRefresher {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ArgoCdClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The configured base URL without a trailing slash; Hoist authenticates with the token, never with credentials in the URL. */
  private baseUrl(): string {
    let url: URL | undefined;
    try {
      url = new URL(this.options.url);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new TerminalError(`Argo CD URL ${redactUrl(this.options.url)} is not an absolute http(s) URL`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new TerminalError(`Argo CD URL for ${redactUrl(this.options.url)} carries a user or password; Hoist signs in with its API token`);
    }
    return this.options.url.replace(/\/$/, '');
  }

  async refresh(application: string): Promise<void> {
    const name = encodeURIComponent(application);
    await this.call(`/api/v1/applications/${name}?refresh=${this.options.refresh ?? 'normal'}`, { method: 'GET' });
    if (this.options.sync === true) {
      await this.call(`/api/v1/applications/${name}/sync`, { method: 'POST', body: JSON.stringify({ prune: false }) });
    }
  }

  async findApplications(repositoryUrl: string, path: string): Promise<string[]> {
    const body = (await this.call(`/api/v1/applications?repo=${encodeURIComponent(repositoryUrl)}`, { method: 'GET' })) as {
      items?: Array<{ metadata?: { name?: string }; spec?: { source?: { path?: string }; sources?: Array<{ path?: string }> } }> | null;
    };
    return (body.items ?? [])
      .filter((app) => {
        const paths = [app.spec?.source?.path, ...(app.spec?.sources ?? []).map((s) => s.path)].filter((p): p is string => p !== undefined);
        return paths.some((p) => isUnderSourcePath(p, path));
      })
      .map((app) => app.metadata?.name)
      .filter((name): name is string => name !== undefined);
  }

  async applicationStatus(application: string): Promise<ApplicationStatus | undefined> {
    let body: unknown;
    try {
      body = await this.call(`/api/v1/applications/${encodeURIComponent(application)}`, { method: 'GET' });
    } catch (error) {
      if (error instanceof ArgoCdAnswerError && error.status === 404) return undefined;
      throw error;
    }
    const parsed = ApplicationStatusSchema.safeParse(body);
    if (!parsed.success) throw new TerminalError(`Argo CD answered application ${application} without a status Hoist can read`);
    const status = parsed.data.status;
    return {
      sync: status?.sync?.status ?? 'Unknown',
      ...(status?.sync?.revision ? { revision: status.sync.revision } : {}),
      health: status?.health?.status ?? 'Unknown',
    };
  }

  private async call(path: string, init: RequestInit): Promise<unknown> {
    const base = this.baseUrl();
    const token = typeof this.options.token === 'string' ? this.options.token : await this.options.token();
    let response: Response;
    try {
      response = await this.fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    } catch (error) {
      // The fetch error is not kept as the cause: it may quote the whole URL.
      throw new UnavailableError(`Argo CD at ${redactUrl(base)} could not be reached: ${redactUrls(error instanceof Error ? error.message : String(error))}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // keep the raw text
      }
      throw new ArgoCdAnswerError(response.status, `Argo CD answered ${response.status}: ${redactUrls(message.slice(0, 200))}`);
    }
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }
}
