/**
 * Signed messages (OCPP-J Part 4 §7) for simulated stations: one MessageSigning shared by every station of a run
 * (the station key and the CSMS certificate are the same for all), counting the signed messages it verified.
 */
import { readFileSync } from 'node:fs';
import type { MessageSigning, SigningAlgorithm } from '../protocol/signed/index.ts';
import { KeyRing, createMessageSigning, loadSigningKey } from '../protocol/signed/index.ts';
import type { SimStats } from './stats.ts';

/** PEM files; `actions` lists the CALLs sent signed (absent: all of them). */
export interface SigningFiles {
  /** The stations' signing key and its certificate. */
  key?: string;
  cert?: string;
  /** RS256 or RS384 for an RSA key (EC P-256 keys always sign ES256). */
  alg?: SigningAlgorithm;
  /** Certificate of the CSMS: its signed replies and CALLs are verified against it. */
  csmsCert?: string;
  actions?: readonly string[];
}

export interface SimSigning {
  signing: MessageSigning;
  /** Which of the station's CALLs go out as `<Action>-Signed`. */
  signCalls: (action: string) => boolean;
}

export function createSimSigning(files: SigningFiles, stats: SimStats): SimSigning {
  if ((files.key === undefined) !== (files.cert === undefined)) throw new RangeError('signing: key and cert go together');
  if (files.key === undefined && files.csmsCert === undefined) throw new RangeError('signing needs key and cert, or csmsCert');
  const keyRing = new KeyRing();
  // The CSMS signs with one key whatever station it talks to: trusted for any identity on our side.
  if (files.csmsCert !== undefined) keyRing.trustAll(readFileSync(files.csmsCert, 'utf8'));
  const signingKey =
    files.key !== undefined && files.cert !== undefined ? loadSigningKey({ key: readFileSync(files.key, 'utf8'), certificate: readFileSync(files.cert, 'utf8'), alg: files.alg }) : undefined;
  const signing = createMessageSigning({
    keyRing,
    signingKey,
    // Knowing the CSMS certificate, an unsigned reply to a signed CALL is an error worth counting.
    requireSignedResults: files.csmsCert !== undefined && signingKey !== undefined,
    onVerified: () => {
      stats.signedVerified += 1;
    },
  });
  const actions = files.actions === undefined ? undefined : new Set(files.actions);
  return { signing, signCalls: (action) => signingKey !== undefined && (actions === undefined || actions.has(action)) };
}
