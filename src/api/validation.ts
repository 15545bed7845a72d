/**
 * Request validation for the API's routes: each route's params/querystring/body schema is compiled once at
 * start. Unlike Fastify's defaults, unknown fields are refused (not silently removed) and every failing field
 * is reported (allErrors). Only params and query strings are type-coerced ("10" → 10, "true" → true); a JSON
 * body must carry the right types.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, strict: false });
  // ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
  formats.default(ajv, { formats: ['date-time', 'uri', 'uuid'] });
  return ajv;
}

type Validator = ((data: unknown) => boolean | { value: unknown }) & { errors?: FastifySchemaValidationError[] | null };

export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = (httpPart === 'body' ? strict : coercing).compile(schema as object);
    const validator: Validator = (data: unknown) => {
      // No body at all (Fastify passes null): validate as `{}`, so commands without fields need no body.
      if (httpPart === 'body' && data === null) {
        const empty = {};
        const ok = validate(empty);
        validator.errors = validate.errors as FastifySchemaValidationError[] | null | undefined;
        return ok ? { value: empty } : false;
      }
      const ok = validate(data);
      validator.errors = validate.errors as FastifySchemaValidationError[] | null | undefined;
      return ok;
    };
    return validator;
  };
}
