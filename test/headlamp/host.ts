// The Headlamp side of the browser tests: one loopback origin that serves the
// test host (Headlamp's lib frontend), the plugins directory the way
// Headlamp's backend lists it, and /clusters/test/* proxied to the real
// kube-apiserver with a credential the browser never sees. Every cluster call
// is recorded, for the read-only proof.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, resolve } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';

export const hostDir = join(import.meta.dirname, 'host');
export const hostDist = join(hostDir, 'dist');
export const pluginDir = resolve(import.meta.dirname, '..', '..', 'headlamp-plugin');
export const CLUSTER_NAME = 'test';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

function buildOnce(args: string[], cwd: string, what: string): void {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.stdout}\n${result.stderr}`);
}

const bin = (name: string) => resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', name);

/** Builds the host with Vite unless already built. */
export function buildHost(): void {
  if (!existsSync(join(hostDist, 'index.html')))
    buildOnce([bin('vite'), 'build', '-c', join(hostDir, 'vite.config.mjs')], hostDir, 'host build');
}

export interface Identity {
  /** A bearer token; without one, the cluster's admin client certificate. */
  token?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
}

export interface HeadlampHost {
  url: string;
  calls: RecordedCall[];
  /** Changes who the proxy acts as, e.g. a viewer with fewer rights. */
  actAs(identity: Identity): void;
  close(): Promise<void>;
}

function plugins(pluginsDir: string): { path: string; type: string; name: string }[] {
  if (!existsSync(pluginsDir)) return [];
  return readdirSync(pluginsDir)
    .filter((name) => existsSync(join(pluginsDir, name, 'main.js')))
    .map((name) => ({ path: `plugins/${name}`, type: 'development', name }));
}

function sendFile(response: ServerResponse, path: string): void {
  response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
  response.end(readFileSync(path));
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'not found', code: 404 }));
}

/** Headers to pass on: the browser's own credentials never reach the apiserver. */
function forwardHeaders(incoming: IncomingMessage, identity: Identity, upstreamHost: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined || ['authorization', 'cookie', 'host', 'referer'].includes(name)) continue;
    headers[name] = value;
  }
  headers['host'] = upstreamHost;
  if (identity.token) headers['authorization'] = `Bearer ${identity.token}`;
  return headers;
}

export async function startHeadlampHost(cluster: Cluster, options: { pluginsDir: string; identity?: Identity }): Promise<HeadlampHost> {
  const upstream = new URL(cluster.server);
  const ca = readFileSync(cluster.caFile);
  const adminCredentials = { cert: readFileSync(cluster.adminCertFile), key: readFileSync(cluster.adminKeyFile) };
  let identity: Identity = options.identity ?? {};
  const credentials = () => (identity.token ? {} : adminCredentials);
  const calls: RecordedCall[] = [];
  const prefix = `/clusters/${CLUSTER_NAME}`;

  const proxy = (incoming: IncomingMessage, response: ServerResponse, path: string) => {
    const call: RecordedCall = { method: incoming.method ?? 'GET', path, status: 0 };
    calls.push(call);
    const outgoing = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path,
        headers: forwardHeaders(incoming, identity, upstream.host),
        ca,
        ...credentials(),
      },
      (answer) => {
        call.status = answer.statusCode ?? 0;
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', (error) => {
      call.status = 502;
      if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(error.message);
    });
    incoming.pipe(outgoing);
  };

  const server: Server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith(`${prefix}/`)) return proxy(incoming, response, url.pathname.slice(prefix.length) + url.search);
    if (url.pathname === '/plugins') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify(plugins(options.pluginsDir)));
    }
    if (url.pathname.startsWith('/plugins/')) {
      const file = resolve(options.pluginsDir, `.${decodeURIComponent(url.pathname.slice('/plugins'.length))}`);
      if (!file.startsWith(resolve(options.pluginsDir)) || !existsSync(file) || !statSync(file).isFile()) return notFound(response);
      return sendFile(response, file);
    }
    if (url.pathname === '/config') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify({ clusters: [{ name: CLUSTER_NAME, server: cluster.server }] }));
    }
    if (url.pathname.startsWith('/clusters/')) return notFound(response);
    const asset = resolve(hostDist, `.${decodeURIComponent(url.pathname)}`);
    if (asset.startsWith(hostDist) && existsSync(asset) && statSync(asset).isFile()) return sendFile(response, asset);
    if (extname(url.pathname) !== '') return notFound(response);
    return sendFile(response, join(hostDist, 'index.html'));
  });

  // Watches: Headlamp opens one WebSocket per watched list; the upgrade is relayed byte for byte.
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(`${prefix}/`)) return socket.destroy();
    const path = url.pathname.slice(prefix.length) + url.search;
    calls.push({ method: 'WATCH', path, status: 101 });
    const upstreamSocket = tlsConnect(
      { host: upstream.hostname, port: Number(upstream.port), ca, servername: upstream.hostname, ...credentials() },
      () => {
        const headers = forwardHeaders(incoming, identity, upstream.host);
        const lines = [
          `GET ${path} HTTP/1.1`,
          ...Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`)),
        ];
        upstreamSocket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) upstreamSocket.write(head);
        upstreamSocket.pipe(socket);
        socket.pipe(upstreamSocket);
      },
    );
    const close = () => {
      upstreamSocket.destroy();
      socket.destroy();
    };
    upstreamSocket.on('error', close);
    socket.on('error', close);
    socket.on('close', close);
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    actAs: (next) => {
      identity = next;
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
