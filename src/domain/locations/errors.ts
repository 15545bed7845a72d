/** Refusals of the location and tariff use cases that are not "not found" or "already exists". */

/** An input the schema cannot check (unknown time zone, too long a default uid, unknown tariff id...). */
export class InvalidCatalogInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidCatalogInput';
  }
}

/** The change conflicts with the current state (e.g. deleting a location that still has EVSEs). */
export class CatalogConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogConflict';
  }
}
