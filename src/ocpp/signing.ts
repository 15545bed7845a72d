/**
 * Signed messages (OCPP-J Part 4 §7) for one station whose record has them on: its `<Action>-Signed` CALLs are
 * verified against the certificates stored with it (trusted for that identity only, so one station's key never
 * vouches for another), then handled like the plain action; replies are signed with the CSMS key when configured
 * (§7.2). A station with signed messages on but no usable certificate gets SecurityError for every signed CALL.
 */
import type { Station } from '../domain/model.ts';
import type { MessageSigning, SigningKey } from '../protocol/signed/index.ts';
import { KeyRing, createMessageSigning } from '../protocol/signed/index.ts';
import type { Logger } from '../shared/logger.ts';

export function stationSigning(station: Pick<Station, 'id' | 'signingCertificate'>, signingKey: SigningKey | undefined, logger: Logger): MessageSigning {
  const keyRing = new KeyRing();
  if (station.signingCertificate !== null) {
    try {
      keyRing.trust(station.id, station.signingCertificate);
    } catch (error) {
      logger.warn({ station: station.id, err: error }, 'signing certificate of the station is unusable: its signed messages will be rejected');
    }
  }
  return createMessageSigning({ keyRing, signingKey, unknownSigner: 'reject' });
}
