/** Errors that storage ports raise, so the domain and the API can react without knowing SQL error codes. */

/** A record with the same key already exists (e.g. a station id that is taken). */
export class AlreadyExistsError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** A write referred to a record that does not exist (e.g. a connector of an unknown station). */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} not found`);
    this.name = 'NotFoundError';
  }
}
