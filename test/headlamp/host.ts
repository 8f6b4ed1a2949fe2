// The browser suites' Headlamp host: one loopback origin that answers the way
// Headlamp's backend does for what its frontend asks at start-up. It serves the
// built host (Headlamp's lib frontend, host/), /config with one cluster,
// /plugins and each plugin's files as Headlamp lists a plugins directory, and
// proxies /clusters/<name>/… (HTTP and WebSocket watches) to the real
// kube-apiserver with the ServiceAccount token it was started with. The
// browser's own credentials never go upstream and the admin certificate is
// never used, so the audit log sees exactly what the signed-in identity did.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Cluster } from '../cluster/cluster.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** Paths Headlamp's backend answers itself (its frontend's /auth is a page); one we do not serve gets 404 JSON, never the SPA page. */
const BACKEND_PATHS =
  /^\/(clusters|plugins|config|wsMultiplexer|externalproxy|helm|drain-node|drain-node-status|portforward|oidc|oidc-callback|parseKubeConfig|cluster|metrics)(\/|$)/;

/**
 * Request headers that carry the browser's identity (its cookies, a token
 * Headlamp's frontend may hold, impersonation) or name the wrong host: none
 * goes upstream, where the ServiceAccount's token stands in. Origin stays:
 * the apiserver's watch WebSocket refuses an upgrade without one (403).
 */
const DROPPED_HEADERS = /^(authorization|proxy-authorization|cookie|host|referer|impersonate-.*|x-headlamp.*)$/;

/** WebSocket subprotocols that carry a credential, Kubernetes' or Headlamp's own. */
const CREDENTIAL_PROTOCOL = /^base64url\.(bearer|headlamp)\.authorization\.k8s\.io\./;

export interface HostOptions {
  /** Answers /config: Headlamp names a kubeconfig cluster after its context. */
  clusterName: string;
  pluginsDir: string;
  /** The ServiceAccount's bearer token every proxied request carries. */
  token: string;
}

export interface Host {
  url: string;
  close(): Promise<void>;
}

/** Builds the host unless the cache already holds this version of it; returns the built directory. */
export function buildHost(): string {
  const result = spawnSync('bash', [join(import.meta.dirname, 'build-host.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the Headlamp host failed:\n${result.stderr}`);
  return result.stdout.trim();
}

function upstreamHeaders(incoming: IncomingHttpHeaders, token: string, upstreamHost: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) if (value !== undefined && !DROPPED_HEADERS.test(name)) headers[name] = value;
  const protocols = String(incoming['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol && !CREDENTIAL_PROTOCOL.test(protocol));
  if (protocols.length > 0) headers['sec-websocket-protocol'] = protocols.join(', ');
  else delete headers['sec-websocket-protocol'];
  headers['host'] = upstreamHost;
  headers['authorization'] = `Bearer ${token}`;
  return headers;
}

/** Headlamp's backend lists a plugins directory this way: every folder holding a main.js. */
function listPlugins(pluginsDir: string): { path: string; type: string; name: string }[] {
  return readdirSync(pluginsDir)
    .filter((name) => existsSync(join(pluginsDir, name, 'main.js')))
    .map((name) => ({ path: `plugins/${name}`, type: 'development', name }));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function notFound(response: ServerResponse, path: string): void {
  sendJson(response, 404, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: `${path} not found`,
    reason: 'NotFound',
    code: 404,
  });
}

function decodedPath(urlPath: string): string | undefined {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
}

/** A file under `dir`, or undefined for anything outside it, missing, or a path that does not decode. */
function fileUnder(dir: string, urlPath: string): string | undefined {
  const path = decodedPath(urlPath);
  if (path === undefined) return undefined;
  const file = resolve(dir, `.${path}`);
  if (!file.startsWith(resolve(dir) + sep)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function sendFile(response: ServerResponse, file: string): void {
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
}

export async function startHost(cluster: Cluster, options: HostOptions): Promise<Host> {
  const built = buildHost();
  const upstream = new URL(cluster.server);
  const ca = readFileSync(cluster.caFile);
  const prefix = `/clusters/${options.clusterName}`;
  const config = {
    clusters: [{ name: options.clusterName, server: cluster.server, meta_data: { source: 'kubeconfig' } }],
    isDynamicClusterEnabled: false,
    allowKubeconfigChanges: false,
  };

  const proxy = (incoming: IncomingMessage, response: ServerResponse, path: string): void => {
    const outgoing = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path,
        headers: upstreamHeaders(incoming.headers, options.token, upstream.host),
        ca,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(error.message);
    });
    incoming.pipe(outgoing);
  };

  const server = createServer((incoming, response) => {
    const { pathname, search } = new URL(incoming.url ?? '/', 'http://localhost');
    if (pathname.startsWith(`${prefix}/`)) return proxy(incoming, response, pathname.slice(prefix.length) + search);
    if (pathname === '/config') return sendJson(response, 200, config);
    if (pathname === '/plugins') return sendJson(response, 200, listPlugins(options.pluginsDir));
    if (pathname.startsWith('/plugins/')) {
      const file = fileUnder(options.pluginsDir, pathname.slice('/plugins'.length));
      return file ? sendFile(response, file) : notFound(response, pathname);
    }
    if (BACKEND_PATHS.test(pathname)) return notFound(response, pathname);
    const asset = fileUnder(built, pathname);
    if (asset) return sendFile(response, asset);
    // A missing script or style is an error to see, not the SPA page served in its place.
    if (extname(pathname) !== '') return notFound(response, pathname);
    return sendFile(response, join(built, 'index.html'));
  });

  // Upgraded sockets leave the server's keeping: closing the host ends them itself.
  const watches = new Set<Socket>();
  // Watches: Headlamp's frontend opens one WebSocket per watched list; the upgrade is relayed byte for byte.
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket, head: Buffer) => {
    const { pathname, search } = new URL(incoming.url ?? '/', 'http://localhost');
    if (!pathname.startsWith(`${prefix}/`)) return socket.destroy();
    const path = pathname.slice(prefix.length) + search;
    const upstreamSocket = tlsConnect({ host: upstream.hostname, port: Number(upstream.port), ca }, () => {
      const headers = upstreamHeaders(incoming.headers, options.token, upstream.host);
      const lines = Object.entries(headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`),
      );
      upstreamSocket.write(`GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    watches.add(socket);
    const close = () => {
      watches.delete(socket);
      upstreamSocket.destroy();
      socket.destroy();
    };
    upstreamSocket.on('error', close);
    socket.on('error', close);
    socket.on('close', close);
  });

  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((closed) => {
        for (const socket of watches) socket.destroy();
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
