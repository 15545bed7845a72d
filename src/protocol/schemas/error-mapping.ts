/**
 * Schema failure → RPC error code (Part 4 §4.3 table; OCPP-J 1.6 §4.2.3). One table, one function.
 *
 * - TypeConstraintViolation: "at least one of the fields violates data type constraints (e.g. "somestring": 12)".
 * - OccurrenceConstraintViolation: "violates occurrence constraints" — a field or array item that must occur
 *   does not, or occurs too often.
 * - PropertyConstraintViolation: "at least one field contains an invalid value".
 * - FormatViolation: "payload is syntactically incorrect or not conform the PDU structure" — including a
 *   property the PDU does not have, and every keyword not listed here.
 *
 * The 1.6 wire spellings (FormationViolation, OccurenceConstraintViolation) are applied later by wireErrorCode().
 */
import type { ErrorObject } from 'ajv';
import type { RpcErrorCode } from '../errors.ts';
import type { ValidationFailure } from '../validator.ts';

export const KEYWORD_CODES: Readonly<Record<string, RpcErrorCode>> = {
  type: 'TypeConstraintViolation',

  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  dependencies: 'OccurrenceConstraintViolation',
  dependentRequired: 'OccurrenceConstraintViolation',

  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',

  additionalProperties: 'FormatViolation',
};

/** Code for a keyword that is not in the table (anyOf, not, if, false schema ...). */
export const DEFAULT_CODE: RpcErrorCode = 'FormatViolation';

/**
 * Maps ajv's errors for one payload. With allErrors off ajv stops at the first failing keyword, so there is
 * one error unless a combinator (anyOf, oneOf) failed: it reports its branches first and itself last, so the
 * last error is the one that decided, and picks the code. Every error contributes its field.
 */
export function mapAjvErrors(errors: readonly ErrorObject[] | null | undefined): ValidationFailure {
  const decisive = errors?.at(-1);
  if (errors == null || decisive === undefined) {
    return { code: DEFAULT_CODE, message: 'payload does not match the schema', fields: [] };
  }
  return {
    code: KEYWORD_CODES[decisive.keyword] ?? DEFAULT_CODE,
    message: describe(decisive),
    fields: errors.length === 1 ? [fieldOf(decisive)] : [...new Set(errors.map(fieldOf))],
  };
}

/** The property a keyword names in its params, for keywords reported at the parent object. */
function namedProperty(error: ErrorObject): string | undefined {
  const params: Record<string, unknown> = error.params;
  const name = params.missingProperty ?? params.additionalProperty;
  return typeof name === 'string' ? name : undefined;
}

/** JSON pointer (RFC 6901) of the failing field. */
function fieldOf(error: ErrorObject): string {
  const name = namedProperty(error);
  return name === undefined ? error.instancePath : `${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function describe(error: ErrorObject): string {
  const field = fieldOf(error) || 'payload';
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
    case 'dependentRequired':
      return `${field} is required`;
    case 'additionalProperties':
      return `${field} is not allowed`;
    case 'enum': {
      const allowed: unknown = (error.params as Record<string, unknown>).allowedValues;
      return Array.isArray(allowed) ? `${field} must be one of ${allowed.join(', ')}` : `${field} ${error.message ?? ''}`;
    }
    default:
      return `${field} ${error.message ?? `fails ${error.keyword}`}`;
  }
}
