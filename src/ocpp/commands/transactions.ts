/** Remote start and stop: F01/F02/F03/K05 (RequestStart/StopTransaction), 1.6 §5.11/§5.12 (RemoteStart/StopTransaction). */
import type { Ocpp16, Ocpp201 } from '../../protocol/generated/index.ts';
import type { Translator } from './context.ts';
import { profileForVersion } from './profile-shape.ts';
import { compact, invalid, jsonObject, legacyConnectorId, newRequestId, statusOf } from './values.ts';

const INT32_MAX = 2 ** 31 - 1;

export const startTransaction: Translator<'startTransaction'> = async (command, ctx) => {
  // 1.6 connectorId and 2.0.1 evseId "SHALL be > 0"; absent = the station chooses.
  if (command.evseId === 0) throw invalid('evseId must be > 0 (omit it to let the station choose)');
  if (ctx.legacy) {
    // No remoteStartId in 1.6: the transaction is matched by connector and idTag (1.6 errata 3.32).
    const request: Ocpp16.RemoteStartTransactionRequest = compact({
      idTag: command.idToken.idToken,
      connectorId: command.evseId === undefined ? undefined : legacyConnectorId(command.evseId, undefined),
      chargingProfile: command.chargingProfile && (profileForVersion(command.chargingProfile, true) as unknown as Ocpp16.RemoteStartTransactionRequest['chargingProfile']),
    });
    return { status: statusOf(await ctx.call16('RemoteStartTransaction', request)) };
  }
  // F02.FR.01: remoteStartId is the only link between this request and the transaction the station starts.
  const remoteStartId = command.remoteStartId ?? newRequestId();
  const response = await ctx.call2(
    'RequestStartTransaction',
    compact({
      idToken: { idToken: command.idToken.idToken, type: (command.idToken.type ?? 'ISO14443') as Ocpp201.IdTokenEnumType },
      remoteStartId,
      evseId: command.evseId,
      chargingProfile: command.chargingProfile && (profileForVersion(command.chargingProfile, false) as unknown as Ocpp201.ChargingProfileType),
    }),
  );
  // F01.FR.19: a transaction the station had already started (cable first) comes back here.
  return { status: statusOf(response), result: jsonObject({ remoteStartId, transactionId: response.transactionId }) };
};

export const stopTransaction: Translator<'stopTransaction'> = async (command, ctx) => {
  if (!ctx.legacy) return { status: statusOf(await ctx.call2('RequestStopTransaction', { transactionId: command.transactionId })) };
  // 1.6 transaction ids are the integers we assigned in StartTransaction.conf, stored as text (1.6 §4.8).
  const text = command.transactionId.trim();
  const transactionId = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(transactionId) || Math.abs(transactionId) > INT32_MAX) {
    throw invalid(`ocpp1.6 transaction ids are integers, got ${JSON.stringify(command.transactionId)}`);
  }
  return { status: statusOf(await ctx.call16('RemoteStopTransaction', { transactionId })) };
};
