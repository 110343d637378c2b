/**
 * Issue 19.8: a profile field named `constructor` passed the profile check (it found Object.prototype's
 * member) and the job then failed as INTERNAL. Only the import fields themselves are fields.
 */
import { describe, expect, it } from 'vitest';
import { checkProfile } from '../../../main/jobs/engine/run';
import { builtinProfile } from '../../../main/jobs/profiles/builtin';

describe('the profile check', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses a field named %s', (field) => {
    const cif = builtinProfile('cif')!;
    const profile = { ...cif, columns: [...cif.columns, { field, source: '备用' }] };
    expect(() => checkProfile(profile)).toThrow(
      expect.objectContaining({ code: 'IMPORT_BAD_PROFILE', details: { field, reason: 'unknown_field' } }),
    );
  });

  it('accepts the built-in profiles', () => {
    for (const alias of ['cif', 'accounts', 'journal', 'wealth'])
      expect(() => checkProfile(builtinProfile(alias)!)).not.toThrow();
  });
});
