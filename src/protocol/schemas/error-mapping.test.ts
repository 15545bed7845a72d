import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import formats from 'ajv-formats';
import type { RpcErrorCode } from '../errors.ts';
import { DEFAULT_CODE, KEYWORD_CODES, mapAjvErrors } from './error-mapping.ts';

// The 2019 class knows every draft-07 keyword plus dependentRequired.
const ajv = new Ajv2019({ strict: false });
formats.default(ajv);

interface Case {
  keyword: string;
  schema: object;
  data: unknown;
  code: RpcErrorCode;
  field: string;
}

const obj = (properties: object, extra: object = {}): object => ({ type: 'object', properties, ...extra });

// One case per keyword: a real ajv failure, then the mapped code and field pointer.
const CASES: Case[] = [
  { keyword: 'type', schema: obj({ a: { type: 'integer' } }), data: { a: 'x' }, code: 'TypeConstraintViolation', field: '/a' },
  { keyword: 'required', schema: obj({}, { required: ['idTag'] }), data: {}, code: 'OccurrenceConstraintViolation', field: '/idTag' },
  { keyword: 'minItems', schema: obj({ a: { type: 'array', minItems: 1 } }), data: { a: [] }, code: 'OccurrenceConstraintViolation', field: '/a' },
  { keyword: 'maxItems', schema: obj({ a: { type: 'array', maxItems: 1 } }), data: { a: [1, 2] }, code: 'OccurrenceConstraintViolation', field: '/a' },
  { keyword: 'dependencies', schema: obj({}, { dependencies: { a: ['b'] } }), data: { a: 1 }, code: 'OccurrenceConstraintViolation', field: '/b' },
  { keyword: 'dependentRequired', schema: obj({}, { dependentRequired: { a: ['b'] } }), data: { a: 1 }, code: 'OccurrenceConstraintViolation', field: '/b' },
  { keyword: 'enum', schema: obj({ a: { enum: ['A', 'W'] } }), data: { a: 'kW' }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'const', schema: obj({ a: { const: 1 } }), data: { a: 2 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'pattern', schema: obj({ a: { type: 'string', pattern: '^[0-9]+$' } }), data: { a: 'x' }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'minLength', schema: obj({ a: { type: 'string', minLength: 2 } }), data: { a: 'x' }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'maxLength', schema: obj({ a: { type: 'string', maxLength: 2 } }), data: { a: 'xyz' }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'minimum', schema: obj({ a: { type: 'number', minimum: 0 } }), data: { a: -1 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'maximum', schema: obj({ a: { type: 'number', maximum: 0 } }), data: { a: 1 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'exclusiveMinimum', schema: obj({ a: { type: 'number', exclusiveMinimum: 0 } }), data: { a: 0 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'exclusiveMaximum', schema: obj({ a: { type: 'number', exclusiveMaximum: 0 } }), data: { a: 0 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'multipleOf', schema: obj({ a: { type: 'number', multipleOf: 0.5 } }), data: { a: 0.3 }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'format', schema: obj({ a: { type: 'string', format: 'date-time' } }), data: { a: 'yesterday' }, code: 'PropertyConstraintViolation', field: '/a' },
  { keyword: 'additionalProperties', schema: obj({}, { additionalProperties: false }), data: { x: 1 }, code: 'FormatViolation', field: '/x' },
  // Not in the table: everything else is a FormatViolation.
  { keyword: 'anyOf', schema: obj({ a: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }), data: { a: true }, code: DEFAULT_CODE, field: '/a' },
  { keyword: 'not', schema: obj({ a: { not: { type: 'string' } } }), data: { a: 'x' }, code: DEFAULT_CODE, field: '/a' },
  { keyword: 'false schema', schema: obj({ a: false }), data: { a: 1 }, code: DEFAULT_CODE, field: '/a' },
];

describe('mapAjvErrors', () => {
  for (const c of CASES) {
    it(`${c.keyword} → ${c.code}`, () => {
      const validate = ajv.compile(c.schema);
      assert.equal(validate(c.data), false);
      assert.equal(validate.errors?.at(-1)?.keyword, c.keyword, 'the case must fail on the keyword it tests');
      const failure = mapAjvErrors(validate.errors);
      assert.equal(failure.code, c.code);
      assert.equal(failure.fields.at(-1), c.field);
      assert.ok(failure.message.startsWith(c.field), failure.message);
    });
  }

  it('has a case for every keyword in the table', () => {
    const tested = new Set(CASES.map((c) => c.keyword));
    assert.deepEqual(Object.keys(KEYWORD_CODES).filter((k) => !tested.has(k)), []);
  });

  it('writes readable messages', () => {
    const message = (keyword: string): string => {
      const c = CASES.find((x) => x.keyword === keyword);
      assert.ok(c);
      const validate = ajv.compile(c.schema);
      validate(c.data);
      return mapAjvErrors(validate.errors).message;
    };
    assert.equal(message('required'), '/idTag is required');
    assert.equal(message('additionalProperties'), '/x is not allowed');
    assert.equal(message('enum'), '/a must be one of A, W');
    assert.equal(message('maxLength'), '/a must NOT have more than 2 characters');
  });

  it('names the root "payload" and escapes pointer characters (RFC 6901)', () => {
    const root = ajv.compile({ type: 'object' });
    root([]);
    assert.deepEqual(mapAjvErrors(root.errors), { code: 'TypeConstraintViolation', message: 'payload must be object', fields: [''] });
    const odd = ajv.compile({ type: 'object', required: ['a/b~c'] });
    odd({});
    assert.deepEqual(mapAjvErrors(odd.errors).fields, ['/a~1b~0c']);
  });

  it('keeps every field when ajv reports several errors, coded by the last (outermost)', () => {
    const errors: ErrorObject[] = [
      { keyword: 'maxLength', instancePath: '/a', schemaPath: '#', params: { limit: 2 }, message: 'must NOT have more than 2 characters' },
      { keyword: 'type', instancePath: '/b', schemaPath: '#', params: { type: 'string' }, message: 'must be string' },
    ];
    const failure = mapAjvErrors(errors);
    assert.equal(failure.code, 'TypeConstraintViolation');
    assert.deepEqual(failure.fields, ['/a', '/b']);
  });

  it('falls back to FormatViolation without errors or for unknown keywords', () => {
    assert.equal(mapAjvErrors(null).code, 'FormatViolation');
    assert.equal(mapAjvErrors([]).code, 'FormatViolation');
    const odd: ErrorObject = { keyword: 'x-vendor', instancePath: '/a', schemaPath: '#', params: {} };
    assert.deepEqual(mapAjvErrors([odd]), { code: 'FormatViolation', message: '/a fails x-vendor', fields: ['/a'] });
  });
});
