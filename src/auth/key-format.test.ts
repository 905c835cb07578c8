import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { generateKey, keyPrefix, keyShape } from './key-format';

describe('API key format', () => {
  it('issues keys that carry their own checksum', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateKey();
      expect(key).toMatch(/^upl_[0-9A-Za-z]{38}$/);
      expect(keyShape(key)).toBe('current');
    }
  });

  it('checks the checksum against an independent CRC32 (zlib) in base62', () => {
    const key = generateKey();
    const body = key.slice(0, -6);
    let value = crc32(body);
    let digits = '';
    for (let i = 0; i < 6; i++) {
      digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[value % 62] + digits;
      value = Math.floor(value / 62);
    }
    expect(key.slice(-6)).toBe(digits);
  });

  it('accepts a key whose checksum was computed elsewhere', () => {
    // python3 -c "import zlib; print(zlib.crc32(b'upl_0123456789abcdefghijABCDEFGHIJ01'))" gives 592608910,
    // which is 0e6WeE in base62 (digits, then A-Z, then a-z), six places.
    expect(crc32('upl_0123456789abcdefghijABCDEFGHIJ01')).toBe(592608910);
    expect(keyShape('upl_0123456789abcdefghijABCDEFGHIJ010e6WeE')).toBe('current');
    expect(keyShape('upl_0123456789abcdefghijABCDEFGHIJ010e6WeF')).toBeNull();
  });

  it('refuses a key with one character changed, random junk, and other lengths', () => {
    const key = generateKey();
    const i = 10;
    const changed = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    expect(keyShape(changed)).toBeNull();
    expect(keyShape(key.slice(0, -1))).toBeNull();
    expect(keyShape(`${key}x`)).toBeNull();
    expect(keyShape('not-a-key')).toBeNull();
    expect(keyShape(`upl_${'A'.repeat(38)}`)).toBeNull();
    expect(keyShape(randomBytes(30).toString('base64url'))).toBeNull();
  });

  it('still recognises keys issued before the checksum (upl_ + 24 random bytes in base64url)', () => {
    const legacy = `upl_${randomBytes(24).toString('base64url')}`;
    expect(keyShape(legacy)).toBe('legacy');
  });

  it('shows at most 8 characters of the random part', () => {
    const key = generateKey();
    expect(keyPrefix(key)).toBe(key.slice(0, 12));
    const legacy = `upl_${randomBytes(24).toString('base64url')}`;
    expect(keyPrefix(legacy)).toBe(legacy.slice(0, 12));
    const own = 'a-very-long-operator-chosen-admin-key-0123456789';
    expect(keyPrefix(own)).toBe('a-very-l');
  });
});
