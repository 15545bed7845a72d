/** SetChargingProfile (K01, 1.6 §5.16), ClearChargingProfile (K10, 1.6 §5.5), GetCompositeSchedule (K08, 1.6 §5.7). */
import type { ChargingProfileStatus, JsonObject } from '../../domain/model.ts';
import type { ChargingProfileCriteria, ChargingProfileInput } from '../../domain/ports.ts';
import type { Ocpp16, Ocpp201 } from '../../protocol/generated/index.ts';
import type { CommandContext, Translator } from './context.ts';
import { profileForVersion } from './profile-shape.ts';
import { compact, field, invalid, statusOf } from './values.ts';

/** The record to store, read from the profile in the station's version's shape (see profile-shape.ts). */
function recordOf(ctx: CommandContext, evseId: number, profile: JsonObject): ChargingProfileInput {
  const id = field(profile, ctx.legacy ? 'chargingProfileId' : 'id', 'number');
  const stackLevel = field(profile, 'stackLevel', 'number');
  const purpose = field(profile, 'chargingProfilePurpose', 'string');
  const kind = field(profile, 'chargingProfileKind', 'string');
  if (id === undefined || stackLevel === undefined || purpose === undefined || kind === undefined) {
    throw invalid(`profile needs ${ctx.legacy ? 'chargingProfileId' : 'id'}, stackLevel, chargingProfilePurpose and chargingProfileKind (${ctx.version} shape)`);
  }
  const transactionId = profile.transactionId;
  const time = (key: string): Date | null => {
    const value = field(profile, key, 'string');
    return value === undefined ? null : new Date(value);
  };
  return {
    stationId: ctx.stationId,
    evseId,
    profileId: id,
    stackLevel,
    purpose,
    kind,
    transactionId: typeof transactionId === 'number' || typeof transactionId === 'string' ? String(transactionId) : null,
    validFrom: time('validFrom'),
    validTo: time('validTo'),
    profile,
  };
}

export const setChargingProfile: Translator<'setChargingProfile'> = async (command, ctx) => {
  // K10.FR.06 / K01.FR.22: external constraints are the station's own, never set by the CSMS.
  if (command.profile.chargingProfilePurpose === 'ChargingStationExternalConstraints') throw invalid('the CSMS never sets ChargingStationExternalConstraints profiles (K01.FR.22)');
  const profile = profileForVersion(command.profile, ctx.legacy);
  const record = recordOf(ctx, command.evseId, profile);
  const status = ctx.legacy
    ? statusOf(await ctx.call16('SetChargingProfile', { connectorId: command.evseId, csChargingProfiles: profile as unknown as Ocpp16.SetChargingProfileRequest['csChargingProfiles'] }))
    : statusOf(await ctx.call2('SetChargingProfile', { evseId: command.evseId, chargingProfile: profile as unknown as Ocpp201.ChargingProfileType }));
  await ctx.record('charging profile', () => store(ctx, record, status === 'Accepted' ? 'Accepted' : 'Rejected'));
  return { status };
};

/**
 * Accepted: the profile is installed and replaces the one with the same id (K01.FR.05); on 1.6 also the one with
 * the same stackLevel and purpose on that connector (§5.16.2). Rejected: the station keeps what it had, so a
 * stored profile with that id is left alone and only a new id is recorded as Rejected.
 */
async function store(ctx: CommandContext, record: ChargingProfileInput, status: ChargingProfileStatus): Promise<void> {
  const profiles = ctx.repos.chargingProfiles;
  if (status === 'Rejected') {
    if ((await profiles.list(ctx.stationId, { profileId: record.profileId })).length === 0) await profiles.upsert({ ...record, status });
    return;
  }
  if (ctx.legacy) {
    const replaced = await profiles.list(ctx.stationId, { evseId: record.evseId, stackLevel: record.stackLevel, purpose: record.purpose });
    for (const old of replaced) if (old.profileId !== record.profileId) await profiles.delete(ctx.stationId, { profileId: old.profileId });
  }
  await profiles.upsert({ ...record, status });
}

export const clearChargingProfile: Translator<'clearChargingProfile'> = async (command, ctx) => {
  const { profileId, evseId, purpose, stackLevel } = command;
  if (purpose === 'ChargingStationExternalConstraints') throw invalid('the CSMS never clears ChargingStationExternalConstraints profiles (K10.FR.06)');
  let status: string | undefined;
  if (ctx.legacy) {
    // 1.6: no field at all clears every profile of the charge point.
    const request = compact({ id: profileId, connectorId: evseId, chargingProfilePurpose: purpose as Ocpp16.ClearChargingProfileRequest['chargingProfilePurpose'], stackLevel });
    status = statusOf(await ctx.call16('ClearChargingProfile', request));
  } else {
    // K10.FR.02: a profile id or at least one criterion.
    if (profileId === undefined && evseId === undefined && purpose === undefined && stackLevel === undefined) throw invalid('give profileId or at least one of evseId, purpose, stackLevel (K10.FR.02)');
    const criteria = compact({ evseId, chargingProfilePurpose: purpose as Ocpp201.ChargingProfilePurposeEnumType | undefined, stackLevel });
    const request = compact({ chargingProfileId: profileId, chargingProfileCriteria: Object.keys(criteria).length > 0 ? criteria : undefined });
    status = statusOf(await ctx.call2('ClearChargingProfile', request));
  }
  if (status === 'Accepted') {
    // A profile id names one profile; the other fields only select when no id is given.
    const criteria: ChargingProfileCriteria = profileId !== undefined ? { profileId } : compact({ evseId, purpose, stackLevel });
    await ctx.record('charging profiles', () => ctx.repos.chargingProfiles.delete(ctx.stationId, criteria));
  }
  return { status };
};

export const getCompositeSchedule: Translator<'getCompositeSchedule'> = async (command, ctx) => {
  const { evseId, duration, chargingRateUnit } = command;
  const response = ctx.legacy
    ? await ctx.call16('GetCompositeSchedule', compact({ connectorId: evseId, duration, chargingRateUnit }))
    : await ctx.call2('GetCompositeSchedule', compact({ evseId, duration, chargingRateUnit }));
  return { status: statusOf(response) };
};
