/**
 * `joule apikey create <name> | list | delete <id>`: API keys for the operator REST API, on the configured
 * database (like `joule station`). The key is printed once by `create`; only its hash is stored.
 * With the embedded database (PGlite) the server must not be running at the same time; use the API then.
 */
import { createApiKey } from '../api/keys.ts';
import type { Repositories } from '../domain/ports.ts';
import { loadConfig } from '../shared/config.ts';
import { createRepositories, openDatabase } from '../storage/index.ts';
import type { CliCommand } from './commands.ts';

const USAGE = 'apikey create <name> | list | delete <id>   API keys of the REST API';

async function withRepositories<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.storage.databaseUrl ?? undefined, dataDir: config.storage.dataDir });
  try {
    return await fn(createRepositories(database));
  } finally {
    await database.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const name = rest.join(' ').trim();
    if (!name || name.length > 100) throw new Error('apikey create needs a name (at most 100 characters)');
    const key = await withRepositories(async (repos) => (await createApiKey(repos.apiKeys, name)).key);
    console.log(`API key '${name}' created (keep it, it is shown only once):\n  ${key}`);
    return;
  }
  if (sub === 'list') {
    await withRepositories(async (repos) => {
      for (const key of await repos.apiKeys.list()) {
        console.log(`${key.id}\t${key.name}\tcreated ${key.createdAt.toISOString()}\tlast used ${key.lastUsedAt?.toISOString() ?? 'never'}`);
      }
    });
    return;
  }
  if (sub === 'delete') {
    const id = rest[0];
    if (!id || !UUID.test(id)) throw new Error('apikey delete needs the key id (a UUID, see apikey list)');
    const deleted = await withRepositories((repos) => repos.apiKeys.delete(id));
    if (!deleted) throw new Error(`no API key ${id}`);
    console.log(`API key ${id} deleted`);
    return;
  }
  console.log(`usage: joule ${USAGE}`);
  process.exitCode = 2;
}

export const apikeyCommand: CliCommand = { name: 'apikey', usage: USAGE, run };
