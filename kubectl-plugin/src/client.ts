// The only network code of the CLI: GETs (paginated lists, watches) and
// SubjectAccessReview creates. client-node supplies credentials and TLS; the
// requests themselves are plain HTTPS so that lists stream page by page,
// --request-timeout applies to each call, and --as-group can repeat.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ReviewAnswer, SubjectAccessReviewSpec } from '@kubectl-readiness/shared';
import { formatDuration } from './duration.ts';
import { CliError } from './errors.ts';
import { VERSION } from './version.ts';

export const USER_AGENT = `kubectl-readiness/${VERSION}`;

export interface ClientOptions {
  as?: string;
  asGroups?: string[];
  /** Milliseconds; 0 means no timeout. */
  timeoutMs: number;
  /** kubectl's -v: 6 logs each request's method, URL, status and duration. */
  verbosity: number;
  log: (line: string) => void;
}

export class ApiError extends CliError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface Response {
  status: number;
  body: string;
  retryAfterSeconds: number | null;
}

/** kubectl's default --chunk-size. */
const PAGE_SIZE = 500;
const MAX_RETRIES = 5;
const MAX_RETRY_AFTER_SECONDS = 10;

export class ApiClient {
  readonly server: string;
  private readonly kubeConfig: KubeConfig;
  private readonly options: ClientOptions;

  constructor(kubeConfig: KubeConfig, options: ClientOptions) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.server) throw new CliError('the current context has no cluster server');
    this.server = cluster.server.replace(/\/+$/, '');
    this.kubeConfig = kubeConfig;
    this.options = options;
  }

  /**
   * Like client-go: a 429, or a 5xx that carries Retry-After, is retried after
   * the delay the server asks for (capped), a bounded number of times.
   */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.sendOnce(method, path, body);
      const retryAfter = response.retryAfterSeconds;
      const throttled = response.status === 429 || (response.status >= 500 && retryAfter !== null);
      if (!throttled) return response;
      if (attempt > MAX_RETRIES) {
        return { ...response, body: `${ApiClient.messageOf(response)} (gave up after ${MAX_RETRIES} retries)` };
      }
      const delay = Math.min(retryAfter ?? 1, MAX_RETRY_AFTER_SECONDS);
      if (this.options.verbosity >= 6) this.options.log(`HTTP ${response.status}: retrying ${method} ${path.split('?')[0]} in ${delay}s`);
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
  }

  private async sendOnce(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const url = new URL(this.server + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = { method, headers: {} };
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw new CliError(`credentials: ${(error as Error).message.split('\n')[0]}`);
    }
    const headers = options.headers as Record<string, string | string[]>;
    headers['Accept'] = 'application/json';
    headers['User-Agent'] = USER_AGENT;
    if (this.options.as) headers['Impersonate-User'] = this.options.as;
    if (this.options.asGroups?.length) headers['Impersonate-Group'] = this.options.asGroups;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const started = Date.now();
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(url, options, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        const lost = () => reject(new CliError(`${method} ${url.pathname}: the connection was cut before the response was complete`));
        incoming.on('error', lost);
        incoming.on('close', () => incoming.complete || lost());
        incoming.on('end', () => {
          if (this.options.verbosity >= 6)
            this.options.log(`${method} ${url.pathname}${url.search} ${incoming.statusCode} in ${Date.now() - started} ms`);
          const retryAfter = Number(incoming.headers['retry-after']);
          resolve({
            status: incoming.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
          });
        });
      });
      if (this.options.timeoutMs > 0) {
        outgoing.setTimeout(this.options.timeoutMs, () =>
          outgoing.destroy(new Error(`no answer within ${formatDuration(this.options.timeoutMs)} (--request-timeout)`)),
        );
      }
      outgoing.on('error', (error) => reject(new CliError(`cannot reach ${this.server}: ${describeNetworkError(error)}`)));
      outgoing.end(payload);
    });
  }

  private static messageOf(response: { body: string }): string {
    try {
      const status = JSON.parse(response.body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // Not a Status object; keep the first line of the body.
    }
    return response.body.trim().split('\n')[0] ?? '';
  }

  private static failure(method: string, path: string, response: { status: number; body: string }): ApiError {
    const message = ApiClient.messageOf(response);
    const what = response.status === 401 ? 'unauthorized (the credentials were rejected)' : `HTTP ${response.status}`;
    return new ApiError(response.status, `${method} ${path.split('?')[0]}: ${what}${message ? `: ${message}` : ''}`);
  }

  async getJSON<T>(path: string): Promise<T> {
    const response = await this.send('GET', path);
    if (response.status !== 200) throw ApiClient.failure('GET', path, response);
    try {
      return JSON.parse(response.body) as T;
    } catch {
      throw new CliError(`GET ${path}: the server answered with something that is not JSON`);
    }
  }

  async getText(path: string): Promise<string> {
    const response = await this.send('GET', path);
    if (response.status !== 200) throw ApiClient.failure('GET', path, response);
    return response.body;
  }

  /**
   * Lists a collection page by page (limit/continue), so memory holds one page
   * of raw JSON at a time; `keep` cuts each item down before the next page.
   * A `limit` in the query replaces kubectl's 500, for collections of small items.
   */
  async list<T>(
    path: string,
    query: Record<string, string> = {},
    keep: (item: unknown) => T = (item) => item as T,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let continueToken = '';
    let resourceVersion = '';
    do {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE), ...query, ...(continueToken ? { continue: continueToken } : {}) });
      const page = await this.getJSON<{ items?: unknown[]; metadata?: { continue?: string; resourceVersion?: string } }>(
        `${path}?${params}`,
      );
      for (const item of page.items ?? []) items.push(keep(item));
      continueToken = page.metadata?.continue ?? '';
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken);
    return { items, resourceVersion };
  }

  async subjectAccessReview(spec: SubjectAccessReviewSpec): Promise<ReviewAnswer> {
    const path = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
    const response = await this.send('POST', path, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    if (response.status !== 201 && response.status !== 200) throw ApiClient.failure('POST', path, response);
    const status =
      (JSON.parse(response.body) as { status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string } })
        .status ?? {};
    return { allowed: status.allowed === true, ...(status.reason ? { reason: status.reason } : {}) };
  }

  /**
   * Watches a collection from resourceVersion, calling onEvent per event.
   * Resolves when the server closes the stream; rejects with ApiError 410
   * when the resourceVersion is too old, so the caller re-lists.
   */
  async watch(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, object: unknown) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const params = new URLSearchParams({ ...query, watch: 'true', allowWatchBookmarks: 'true' });
    const url = new URL(`${this.server}${path}?${params}`);
    const options: RequestOptions = { method: 'GET', headers: {}, signal };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const headers = options.headers as Record<string, string | string[]>;
    headers['Accept'] = 'application/json';
    headers['User-Agent'] = USER_AGENT;
    if (this.options.as) headers['Impersonate-User'] = this.options.as;
    if (this.options.asGroups?.length) headers['Impersonate-Group'] = this.options.asGroups;
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(url, options, (incoming) => {
        if (incoming.statusCode !== 200) {
          let body = '';
          incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
          incoming.on('end', () => reject(ApiClient.failure('GET', path, { status: incoming.statusCode ?? 0, body })));
          return;
        }
        let buffered = '';
        incoming.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (!line) continue;
            const event = JSON.parse(line) as { type: string; object: { code?: number; message?: string } };
            if (event.type === 'ERROR') {
              reject(new ApiError(event.object.code ?? 500, `watch ${path}: ${event.object.message ?? 'error'}`));
              outgoing.destroy();
              return;
            }
            onEvent(event.type, event.object);
          }
        });
        incoming.on('end', () => resolve());
        incoming.on('error', (error) => reject(new CliError(`watch ${path}: ${error.message}`)));
      });
      outgoing.on('error', (error) => (signal.aborted ? resolve() : reject(new CliError(`watch ${path}: ${describeNetworkError(error)}`))));
      outgoing.end();
    });
  }
}

function describeNetworkError(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `the server's certificate is not trusted by the kubeconfig's CA (${error.code})`;
    default:
      return error.message;
  }
}
