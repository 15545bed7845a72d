/**
 * Signed OCPP messages (Part 4 §7): what RpcEndpoint needs (`MessageSigning`) and the standard implementation
 * over a KeyRing and an optional SigningKey.
 */
import type { JsonObject } from '../types.ts';
import { MessageType } from '../types.ts';
import type { FlattenedJws, SignableMessageType } from './format.ts';
import { isFlattenedJws } from './format.ts';
import type { KeyRing, SigningKey } from './keys.ts';
import { signPayload } from './sign.ts';
import type { VerifiedMessage } from './verify.ts';
import { SignatureError, verifySigned } from './verify.ts';

export * from './format.ts';
export * from './keys.ts';
export { signPayload } from './sign.ts';
export * from './verify.ts';

/**
 * Given to RpcEndpoint as `signing`. Without it an endpoint treats `<Action>-Signed` like any unknown action
 * (NotImplemented).
 */
export interface MessageSigning {
  /**
   * Verifies the JWS of a received `<Action>-Signed` CALL from `identity` and resolves with the enclosed payload
   * (§7.2); rejects with RpcError('SecurityError', …) on a bad signature or an unknown key.
   */
  verifyCall(identity: string, action: string, jws: JsonObject): Promise<JsonObject>;
  /** Signs our CALLRESULT to a signed CALL (§7.2); undefined when we have no signing key: reply unsigned. */
  signResult(action: string, payload: JsonObject): Promise<FlattenedJws> | undefined;
  /** Signs an outgoing CALL; absent when we have no signing key. */
  signCall?(action: string, payload: JsonObject): Promise<FlattenedJws>;
  /**
   * Checks the CALLRESULT payload received for one of our signed CALLs: verifies it when it is a JWS and
   * resolves with the enclosed payload; an unsigned reply passes unless signed replies are required.
   */
  verifyResult?(identity: string, action: string, payload: JsonObject): Promise<JsonObject>;
}

/** A successfully verified (or knowingly accepted) signed message, e.g. for keeping the signature as evidence. */
export interface SignedMessageEvent {
  identity: string;
  action: string;
  messageTypeId: SignableMessageType;
  jws: FlattenedJws;
  verified: VerifiedMessage;
}

export interface MessageSigningOptions {
  /** Certificates trusted per sender. */
  keyRing: KeyRing;
  /** Our key; without it we verify but reply unsigned (§7.2 "when it supports digital signing"). */
  signingKey?: SigningKey;
  /** See VerifyRequest.unknownSigner; default 'reject'. */
  unknownSigner?: 'reject' | 'accept';
  /** Reject unsigned CALLRESULTs to our signed CALLs (default false: §7.2 lets a peer without keys reply unsigned). */
  requireSignedResults?: boolean;
  /** Clock for certificate validity. */
  now?: () => Date;
  /** Called for every signed message accepted; must not throw. */
  onVerified?: (event: SignedMessageEvent) => void;
}

/** The standard MessageSigning. */
export function createMessageSigning(options: MessageSigningOptions): MessageSigning {
  const { keyRing, signingKey, unknownSigner = 'reject', requireSignedResults = false, now, onVerified } = options;

  async function verify(identity: string, action: string, messageTypeId: SignableMessageType, jws: JsonObject): Promise<JsonObject> {
    const verified = await verifySigned({ jws, action, messageTypeId, identity, keyRing, unknownSigner, now: now?.() });
    onVerified?.({ identity, action, messageTypeId, jws: jws as FlattenedJws, verified });
    return verified.payload;
  }

  const signing: MessageSigning = {
    verifyCall: (identity, action, jws) => verify(identity, action, MessageType.CALL, jws),
    signResult: (action, payload) => (signingKey ? signPayload(signingKey, action, MessageType.CALLRESULT, payload) : undefined),
    verifyResult: async (identity, action, payload) => {
      if (isFlattenedJws(payload)) return verify(identity, action, MessageType.CALLRESULT, payload);
      if (requireSignedResults) throw new SignatureError('malformed', `unsigned ${action} reply to a signed request`);
      return payload;
    },
  };
  if (signingKey) signing.signCall = (action, payload) => signPayload(signingKey, action, MessageType.CALL, payload);
  return signing;
}
