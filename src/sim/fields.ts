/**
 * Reads an untrusted object (a parsed scenario file) field by field, collecting every problem with its path
 * instead of stopping at the first, and flags keys nobody read (typos).
 */

export class Fields {
  private readonly read = new Set<string>();

  constructor(
    private readonly source: Record<string, unknown>,
    private readonly path: string,
    private readonly errors: string[],
  ) {}

  static of(value: unknown, path: string, errors: string[]): Fields | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${path || 'scenario'}: expected an object, got ${describe(value)}`);
      return undefined;
    }
    return new Fields(value as Record<string, unknown>, path, errors);
  }

  has(key: string): boolean {
    return this.source[key] !== undefined;
  }

  raw(key: string): unknown {
    this.read.add(key);
    return this.source[key];
  }

  fail(key: string, message: string): void {
    this.errors.push(`${this.at(key)}: ${message}`);
  }

  at(key: string | number): string {
    return typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
  }

  string(key: string, options: { oneOf?: readonly string[]; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.wrong(key, 'a string', value);
    if (options.oneOf && !options.oneOf.includes(value)) return this.wrong(key, `one of ${options.oneOf.join(', ')}`, value);
    if (options.pattern && !options.pattern.test(value)) return this.wrong(key, options.hint ?? `text matching ${options.pattern}`, value);
    return value;
  }

  number(key: string, options: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const { min, max, integer = false } = options;
    const what = `${integer ? 'an integer' : 'a number'}${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` and ≤ ${max}` : ''}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.wrong(key, what, value);
    if ((integer && !Number.isInteger(value)) || (min !== undefined && value < min) || (max !== undefined && value > max)) return this.wrong(key, what, value);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    return typeof value === 'boolean' ? value : this.wrong(key, 'true or false', value);
  }

  /** `[min, max]` with 0 ≤ min ≤ max; a single number means [n, n]. */
  range(key: string): readonly [number, number] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return [value, value];
    if (Array.isArray(value) && value.length === 2) {
      const [min, max] = value as unknown[];
      if (typeof min === 'number' && typeof max === 'number' && Number.isFinite(max) && min >= 0 && min <= max) return [min, max];
    }
    return this.wrong(key, '[min, max] seconds with 0 ≤ min ≤ max', value);
  }

  object(key: string): Fields | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    return Fields.of(value, this.at(key), this.errors);
  }

  array(key: string): unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value : this.wrong(key, 'a list', value);
  }

  /** Reports keys that were never read. */
  done(): void {
    for (const key of Object.keys(this.source)) if (!this.read.has(key)) this.errors.push(`${this.at(key)}: unknown field`);
  }

  private wrong(key: string, expected: string, value: unknown): undefined {
    this.errors.push(`${this.at(key)}: expected ${expected}, got ${describe(value)}`);
    return undefined;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
