/**
 * Signed messages (OCPP-J Part 4 §7) per station:
 * - signed_messages: the CSMS accepts `<Action>-Signed` CALLs from this station, verifies them and signs its
 *   replies when it has a signing key (off: such CALLs are answered NotImplemented, like any unknown action);
 * - signing_certificate: the PEM certificate(s) whose keys this station signs with (trusted for this station only).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stations add column signed_messages boolean not null default false`.execute(db);
  await sql`alter table stations add column signing_certificate text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stations drop column signing_certificate`.execute(db);
  await sql`alter table stations drop column signed_messages`.execute(db);
}
