import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, isPasswordHash, verifyPassword } from './password.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', { N: 1024 });
    assert.match(stored, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same', { N: 1024 }), hashPassword('same', { N: 1024 })]);
    assert.notEqual(a, b);
  });

  it('uses the default cost when none is given', async () => {
    const stored = await hashPassword('0123456789abcdef');
    assert.ok(stored.startsWith('scrypt$16384$8$1$'));
    assert.equal(await verifyPassword('0123456789abcdef', stored), true);
  });

  it('treats malformed or hostile stored hashes as a mismatch', async () => {
    const stored = await hashPassword('pw', { N: 1024 });
    for (const bad of ['', 'plain', stored.replace('scrypt', 'bcrypt'), stored.replace('$1024$', '$1000$'), stored.replace('$1024$', `$${2 ** 24}$`), stored.split('$').slice(0, 5).join('$')]) {
      assert.equal(isPasswordHash(bad), false, bad);
      assert.equal(await verifyPassword('pw', bad), false, bad);
    }
  });
});
