// HTTPS endpoints a test stands up next to the apiserver, as the real ones
// would be: an admission webhook, a node's kubelet port. Their serving
// certificates come from the cluster's CA, so the apiserver verifies them.
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { localclusterBin, run, type Cluster } from './cluster.ts';

export interface Received {
  method: string;
  path: string;
  body: string;
}

export interface Endpoint {
  url: string;
  port: number;
  /** Every request the endpoint has answered, in order. */
  received: Received[];
  close(): Promise<void>;
}

async function localcluster(args: string[]): Promise<void> {
  const result = await run(localclusterBin, args);
  if (result.code !== 0) throw new Error(`localcluster ${args[0]}: ${result.stderr.trim()}`);
}

/** A key and certificate signing request for a client identity, PEM. */
export async function clientCSR(commonName: string, organization: string): Promise<{ csr: string; key: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'client-csr-'));
  try {
    await localcluster(['client-csr', commonName, organization, dir]);
    return { csr: readFileSync(join(dir, 'client.csr'), 'utf8'), key: readFileSync(join(dir, 'client.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The machine's first non-loopback IPv4 address: the apiserver refuses to proxy to loopback nodes. */
export function hostAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal);
  if (!address) throw new Error('this machine has no non-loopback IPv4 address for a node to advertise');
  return address.address;
}

/** Serves HTTPS on `host` with a certificate from the cluster's CA; `answer` gives each response's status and JSON body. */
export async function startEndpoint(
  cluster: Cluster,
  host: string,
  answer: (request: Received) => { status: number; body: unknown },
): Promise<Endpoint> {
  const dir = mkdtempSync(join(tmpdir(), 'endpoint-'));
  await localcluster(['serving-cert', cluster.stateDir, host, dir]);
  const received: Received[] = [];
  const server = createServer(
    { cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) },
    (request, response) => {
      readBody(request).then((body) => {
        const entry = { method: request.method ?? '', path: request.url ?? '', body };
        received.push(entry);
        const reply = answer(entry);
        response.writeHead(reply.status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(reply.body));
      });
    },
  );
  // An exec reaches a kubelet as a protocol upgrade: recorded, then refused, since no container runs here to stream from.
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    received.push({ method: request.method ?? '', path: request.url ?? '', body: '' });
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${host}:${port}`,
    port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}
