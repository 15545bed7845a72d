/** UpdateFirmware (L01/L02, 1.6 §5.19, SEC L01 SignedUpdateFirmware) and GetLog (N01, 1.6 §5.9 GetDiagnostics, SEC N01 GetLog). */
import type { Translator } from './context.ts';
import { compact, invalid, jsonObject, newRequestId, statusOf, utc } from './values.ts';

export const updateFirmware: Translator<'updateFirmware'> = async (command, ctx) => {
  const retrieveDateTime = utc(command.retrieveDateTime, 'retrieveDateTime');
  const { location, retries, retryInterval, signingCertificate, signature } = command;
  const signed = signingCertificate !== undefined || signature !== undefined;
  if (ctx.legacy && !signed) {
    // 1.6 §5.19: no status in the answer; progress comes as FirmwareStatusNotification.
    await ctx.call16('UpdateFirmware', compact({ location, retrieveDate: retrieveDateTime, retries, retryInterval }));
    return { status: undefined };
  }
  // L01.FR.01: progress notifications carry this requestId.
  const requestId = command.requestId ?? newRequestId();
  if (ctx.legacy) {
    if (signingCertificate === undefined || signature === undefined) throw invalid('SignedUpdateFirmware needs both signingCertificate and signature');
    const firmware = { location, retrieveDateTime, signingCertificate, signature };
    return { status: statusOf(await ctx.call16('SignedUpdateFirmware', compact({ requestId, retries, retryInterval, firmware }))), result: { requestId } };
  }
  const firmware = compact({ location, retrieveDateTime, signingCertificate, signature });
  return { status: statusOf(await ctx.call2('UpdateFirmware', compact({ requestId, retries, retryInterval, firmware }))), result: { requestId } };
};

export const getLog: Translator<'getLog'> = async (command, ctx) => {
  const oldestTimestamp = command.oldestTimestamp === undefined ? undefined : utc(command.oldestTimestamp, 'oldestTimestamp');
  const latestTimestamp = command.latestTimestamp === undefined ? undefined : utc(command.latestTimestamp, 'latestTimestamp');
  if (ctx.legacy && command.logType !== 'SecurityLog') {
    // Diagnostics in core 1.6: a file name now, progress as DiagnosticsStatusNotification.
    const response = await ctx.call16('GetDiagnostics', compact({ location: command.location, startTime: oldestTimestamp, stopTime: latestTimestamp }));
    return { status: undefined, result: jsonObject({ fileName: response.fileName }) };
  }
  // N01 / SEC N01: LogStatusNotification messages carry this requestId.
  const requestId = command.requestId ?? newRequestId();
  const request = {
    logType: command.logType ?? 'DiagnosticsLog',
    requestId,
    log: compact({ remoteLocation: command.location, oldestTimestamp, latestTimestamp }),
  };
  const response = ctx.legacy ? await ctx.call16('GetLog', request) : await ctx.call2('GetLog', request);
  return { status: statusOf(response), result: jsonObject({ requestId, filename: response.filename }) };
};
