/** Local authorization list: SendLocalList (D01, 1.6 §5.15) and GetLocalListVersion (D02, 1.6 §5.10). */
import type { Ocpp16, Ocpp201 } from '../../protocol/generated/index.ts';
import type { Translator } from './context.ts';
import { compact, invalid, utc, statusOf } from './values.ts';

/** 1.6 AuthorizationStatus; the finer 2.0.1 reasons (NoCredit, NotAtThisLocation, Unknown...) become Invalid there. */
const LEGACY_STATUSES: readonly string[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

export const sendLocalList: Translator<'sendLocalList'> = async (command, ctx) => {
  // D01.FR.18 / 1.6 errata 3.52: the version is > 0 (0 means "no list", -1 "not supported").
  if (!(command.versionNumber > 0)) throw invalid('versionNumber must be > 0');
  const tokens = command.tokens ?? [];
  if (new Set(tokens.map((t) => `${t.idToken.type ?? ''}\u0000${t.idToken.idToken}`)).size !== tokens.length) throw invalid('a token appears twice in the list (D01.FR.06)');
  // An entry without status is a removal in a Differential update (D01.FR.05; 1.6 §5.15).
  if (ctx.legacy) {
    const list: Ocpp16.SendLocalListRequest['localAuthorizationList'] = tokens.map((t) =>
      compact({
        idTag: t.idToken.idToken,
        idTagInfo:
          t.status === undefined
            ? undefined
            : compact({
                status: (LEGACY_STATUSES.includes(t.status) ? t.status : 'Invalid') as Ocpp16.AuthorizeResponse['idTagInfo']['status'],
                expiryDate: t.expiry === undefined ? undefined : utc(t.expiry, 'expiry'),
                parentIdTag: t.groupId,
              }),
      }),
    );
    const request = compact({ listVersion: command.versionNumber, updateType: command.updateType, localAuthorizationList: list.length > 0 ? list : undefined });
    return { status: statusOf(await ctx.call16('SendLocalList', request)) };
  }
  const list: Ocpp201.AuthorizationData[] = tokens.map((t) =>
    compact({
      idToken: { idToken: t.idToken.idToken, type: (t.idToken.type ?? 'ISO14443') as Ocpp201.IdTokenEnumType },
      idTokenInfo:
        t.status === undefined
          ? undefined
          : compact({
              status: t.status as Ocpp201.AuthorizationStatusEnumType,
              cacheExpiryDateTime: t.expiry === undefined ? undefined : utc(t.expiry, 'expiry'),
              // C09.FR.13 (errata): a group id token has type Central.
              groupIdToken: t.groupId === undefined ? undefined : { idToken: t.groupId, type: 'Central' as const },
            }),
    }),
  );
  // The schema wants at least one entry when the list is present: an empty Full update omits it.
  const request = compact({ versionNumber: command.versionNumber, updateType: command.updateType, localAuthorizationList: list.length > 0 ? list : undefined });
  return { status: statusOf(await ctx.call2('SendLocalList', request)) };
};

export const getLocalListVersion: Translator<'getLocalListVersion'> = async (_command, ctx) => {
  // D02.FR.01-03: 0 = no list; 1.6 §5.10: -1 = not supported.
  const versionNumber = ctx.legacy ? (await ctx.call16('GetLocalListVersion', {})).listVersion : (await ctx.call2('GetLocalListVersion', {})).versionNumber;
  return { status: undefined, result: { versionNumber } };
};
