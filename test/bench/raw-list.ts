// The physical floor of "list every node": paginated GETs and JSON.parse,
// no logic. Args: server, CA file, client certificate file, client key file.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

const [server, ca, cert, key] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, ca: readFileSync(ca!), cert: readFileSync(cert!), key: readFileSync(key!) });

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(new URL(path, server), { agent, headers: { Accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    })
      .on('error', reject)
      .end();
  });
}

let items = 0;
let continueToken = '';
do {
  const page = JSON.parse(await get(`/api/v1/nodes?limit=500${continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ''}`));
  items += page.items.length;
  continueToken = page.metadata.continue ?? '';
} while (continueToken);
agent.destroy();
console.log(items);
