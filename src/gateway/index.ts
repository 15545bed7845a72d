/** Public surface of the gateway: the server side OCPP-J transport. */
export { OcppGateway } from './gateway.ts';
export type { OcppGatewayOptions } from './gateway.ts';
export { CloseCode, CloseReason } from './connection.ts';
export { COMPRESSION_DEFAULTS } from './compression.ts';
export type { CompressionOptions } from './compression.ts';
export { MAX_IDENTITY_LENGTH } from './handshake/identity.ts';
export type {
  ConnectInfo,
  ConnectListener,
  DisconnectListener,
  HandshakeInfo,
  SecurityProfile,
  StationAccess,
  StationLookup,
} from './types.ts';
