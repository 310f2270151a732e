import { redactSecretValues } from './redact-secret-values.util.js';

describe('redactSecretValues', () => {
  it('hides Secret values but shows that they differ', () => {
    const [a, b, c] = redactSecretValues([
      { kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' }, stringData: { token: 'abc' } },
      { kind: 'Secret', metadata: { name: 's' }, data: { password: 'b3RoZXI=' } },
      { kind: 'ConfigMap', metadata: { name: 'c' }, data: { plain: 'visible' } },
    ]) as Record<string, Record<string, string>>[];
    expect(JSON.stringify(a)).not.toContain('aHVudGVyMg==');
    expect(JSON.stringify(a)).not.toContain('abc');
    expect(a!.data!.password).toMatch(/^\(redacted sha256:[0-9a-f]{12}\)$/);
    expect(a!.data!.password).not.toBe(b!.data!.password);
    expect(c!.data!.plain).toBe('visible');
  });
});
