/** Every migration, imported statically (no filesystem globbing: works the same from source, a bundle or tests). */
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.ts';
import * as m002 from './002_locations_tariffs.ts';
import * as m003 from './003_ocpi.ts';
import * as m004 from './004_roaming.ts';
import * as m005 from './005_signed_messages.ts';
import * as m006 from './006_lean_writes.ts';
import * as m007 from './007_message_exchanges.ts';
import * as m008 from './008_command_relay.ts';
import * as m009 from './009_cluster_nodes.ts';

/** Keys sort in the order migrations run: keep the NNN_ prefix. */
export const migrations: Readonly<Record<string, Migration>> = {
  '001_initial': m001,
  '002_locations_tariffs': m002,
  '003_ocpi': m003,
  '004_roaming': m004,
  '005_signed_messages': m005,
  '006_lean_writes': m006,
  '007_message_exchanges': m007,
  '008_command_relay': m008,
  '009_cluster_nodes': m009,
};

export const staticMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
