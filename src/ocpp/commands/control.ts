/** Reset (B11/B12, 1.6 §5.14), ChangeAvailability (G03/G04, 1.6 §5.2), UnlockConnector (F05), TriggerMessage (F06, 1.6 §5.17, SEC), ClearCache (C11), DataTransfer (P01), raw. */
import type { Ocpp16, Ocpp201 } from '../../protocol/generated/index.ts';
import type { Translator } from './context.ts';
import { compact, evseOf, invalid, legacyConnectorId, statusOf } from './values.ts';

export const reset: Translator<'reset'> = async (command, ctx) => {
  if (ctx.legacy) {
    // 1.6 resets the whole charge point only; Hard = stop now (Immediate), Soft = end transactions first (OnIdle).
    if (command.evseId !== undefined && command.evseId !== 0) throw invalid('ocpp1.6 cannot reset a single EVSE');
    return { status: statusOf(await ctx.call16('Reset', { type: command.type === 'Immediate' ? 'Hard' : 'Soft' })) };
  }
  const evseId = command.evseId === 0 ? undefined : command.evseId;
  return { status: statusOf(await ctx.call2('Reset', compact({ type: command.type, evseId }))) };
};

export const changeAvailability: Translator<'changeAvailability'> = async (command, ctx) => {
  const target = command.operational ? 'Operative' : 'Inoperative';
  let status: string | undefined;
  if (ctx.legacy) {
    const connectorId = legacyConnectorId(command.evseId, command.connectorId);
    status = statusOf(await ctx.call16('ChangeAvailability', { connectorId, type: target }));
  } else {
    const evse = evseOf(command.evseId, command.connectorId);
    status = statusOf(await ctx.call2('ChangeAvailability', compact({ operationalStatus: target, evse })));
  }
  // G03.FR.05-08: keep the requested target state (Scheduled = applied once the transaction ends).
  if ((status === 'Accepted' || status === 'Scheduled') && (ctx.legacy || command.connectorId === undefined)) {
    await ctx.record('evse availability', () => ctx.repos.stations.setEvseAvailability(ctx.stationId, command.evseId ?? 0, target));
  }
  return { status };
};

export const unlockConnector: Translator<'unlockConnector'> = async (command, ctx) => {
  if (ctx.legacy) {
    if (command.evseId === 0) throw invalid('evseId must be > 0');
    return { status: statusOf(await ctx.call16('UnlockConnector', { connectorId: legacyConnectorId(command.evseId, command.connectorId) })) };
  }
  return { status: statusOf(await ctx.call2('UnlockConnector', { evseId: command.evseId, connectorId: command.connectorId })) };
};

/** 1.6 core TriggerMessage messages; the others (LogStatusNotification, SignChargePointCertificate) need ExtendedTriggerMessage (SEC). */
const CORE_TRIGGERS: readonly string[] = ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'];
/** 2.0.1 names of messages the Security Whitepaper calls differently. */
const LEGACY_TRIGGER_NAMES: Readonly<Record<string, string>> = { SignChargingStationCertificate: 'SignChargePointCertificate' };

export const triggerMessage: Translator<'triggerMessage'> = async (command, ctx) => {
  if (ctx.legacy) {
    const connectorId = command.evseId === undefined && command.connectorId === undefined ? undefined : legacyConnectorId(command.evseId, command.connectorId);
    const target = connectorId === 0 ? undefined : connectorId;
    if (CORE_TRIGGERS.includes(command.message)) {
      // Enum values are checked by the endpoint against the schema.
      const requestedMessage = command.message as Ocpp16.TriggerMessageRequest['requestedMessage'];
      return { status: statusOf(await ctx.call16('TriggerMessage', compact({ requestedMessage, connectorId: target }))) };
    }
    const requestedMessage = (LEGACY_TRIGGER_NAMES[command.message] ?? command.message) as Ocpp16.MessageTriggerEnumType;
    return { status: statusOf(await ctx.call16('ExtendedTriggerMessage', compact({ requestedMessage, connectorId: target }))) };
  }
  const requestedMessage = command.message as Ocpp201.MessageTriggerEnumType;
  return { status: statusOf(await ctx.call2('TriggerMessage', compact({ requestedMessage, evse: evseOf(command.evseId, command.connectorId) }))) };
};

export const clearCache: Translator<'clearCache'> = async (_command, ctx) => ({
  status: statusOf(ctx.legacy ? await ctx.call16('ClearCache', {}) : await ctx.call2('ClearCache', {})),
});

export const dataTransfer: Translator<'dataTransfer'> = async (command, ctx) => {
  const request = compact({ vendorId: command.vendorId, messageId: command.messageId, data: command.data });
  const response = ctx.legacy ? await ctx.call16('DataTransfer', request) : await ctx.call2('DataTransfer', request);
  return { status: statusOf(response) };
};

/** Any action of the station's version, as is: the endpoint refuses unknown actions and schema violations (invalid). */
export const raw: Translator<'raw'> = async (command, ctx) => ({ status: statusOf(await ctx.callRaw(command.action, command.payload)) });
