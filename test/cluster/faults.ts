// A loopback HTTPS fault proxy in front of the real apiserver: each request is
// relayed with the admin certificate unless the test's fault plan answers it
// another way (a status, a stall, a cut connection, a rewritten body).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './cluster.ts';

export type Fault =
  | { respond: number; headers?: Record<string, string>; body?: string }
  | { stall: true }
  /** Relays the status line, the headers and this many bytes of the body, then drops the connection. */
  | { cutAfterBytes: number }
  | { rewrite: (body: string) => string }
  /** Relays a streaming response (a watch) for this long, then drops the connection. */
  | { dropAfterMs: number };

export interface ProxiedCall {
  method: string;
  path: string;
  watch: boolean;
  /** How many earlier calls had the same method and path (without query), both watches or both not. */
  repeat: number;
}

export type FaultPlan = (call: ProxiedCall) => Fault | undefined;

export interface FaultProxy {
  url: string;
  /** A kubeconfig whose server is the proxy; its token is what the tests look for in logs. */
  kubeconfig: string;
  token: string;
  calls: ProxiedCall[];
  plan(faults: FaultPlan): void;
  close(): Promise<void>;
}

export async function startFaultProxy(cluster: Cluster): Promise<FaultProxy> {
  const upstream = new URL(cluster.server);
  const tls = { cert: readFileSync(cluster.adminCertFile), key: readFileSync(cluster.adminKeyFile), ca: readFileSync(cluster.caFile) };
  const calls: ProxiedCall[] = [];
  let faults: FaultPlan = () => undefined;
  const open = new Set<ServerResponse>();

  const relay = (incoming: IncomingMessage, response: ServerResponse, fault: Fault | undefined) => {
    const headers = { ...incoming.headers, host: upstream.host };
    delete headers['authorization'];
    const outgoing = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers, ...tls },
      (answer) => {
        if (!fault || 'dropAfterMs' in fault) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          if (fault) setTimeout(() => response.socket?.destroy(), fault.dropAfterMs);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const replyHeaders = { ...answer.headers };
          delete replyHeaders['content-length'];
          delete replyHeaders['transfer-encoding'];
          if (fault && 'cutAfterBytes' in fault) {
            response.writeHead(answer.statusCode ?? 502, { ...replyHeaders, 'content-length': String(body.length) });
            response.write(body.subarray(0, fault.cutAfterBytes), () => response.socket?.destroy());
            return;
          }
          const text = fault && 'rewrite' in fault ? fault.rewrite(body.toString('utf8')) : body;
          response.writeHead(answer.statusCode ?? 502, { ...replyHeaders, 'content-length': String(Buffer.byteLength(text)) });
          response.end(text);
        });
      },
    );
    outgoing.on('error', () => response.destroy());
    incoming.pipe(outgoing);
  };

  // Serves the apiserver's own certificate, so the kubeconfig's CA verifies the proxy as it would the apiserver.
  const pki = join(cluster.stateDir, 'pki');
  const identity = { cert: readFileSync(join(pki, 'apiserver.crt')), key: readFileSync(join(pki, 'apiserver.key')) };
  const server = createServer(identity, (incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'https://proxy');
    const call = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      watch: url.searchParams.get('watch') === 'true',
      repeat: 0,
    };
    call.repeat = calls.filter(
      (earlier) => earlier.method === call.method && earlier.watch === call.watch && earlier.path.split('?')[0] === url.pathname,
    ).length;
    calls.push(call);
    open.add(response);
    response.on('close', () => open.delete(response));
    const fault = faults(call);
    if (fault && 'stall' in fault) return;
    if (fault && 'respond' in fault) {
      response.writeHead(fault.respond, { 'content-type': 'application/json', ...fault.headers });
      response.end(fault.body ?? '');
      return;
    }
    relay(incoming, response, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  const token = `fault-proxy-token-${Math.random().toString(36).slice(2)}`;
  const kubeconfig = join(cluster.stateDir, 'fault-proxy.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: proxy
clusters: [{name: proxy, cluster: {server: "${url}", certificate-authority: "${cluster.caFile}"}}]
users: [{name: proxy, user: {token: ${token}}}]
contexts: [{name: proxy, context: {cluster: proxy, user: proxy}}]
`,
  );
  return {
    url,
    kubeconfig,
    token,
    calls,
    plan: (next) => {
      faults = next;
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of open) response.socket?.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
