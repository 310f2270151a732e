import { CliError } from '../cli.error.js';
import { mergeLabels, parseLabelChanges } from './parse-label-changes.util.js';

describe('parseLabelChanges', () => {
  it('reads sets and removals', () => {
    const changes = parseLabelChanges(['env=prod', 'canary-', 'note=a=b', 'empty=']);
    expect([...changes.set]).toEqual([['env', 'prod'], ['note', 'a=b'], ['empty', '']]);
    expect([...changes.remove]).toEqual(['canary']);
  });

  it.each([
    [['env'], '"env": expected key=value to set a label or key- to remove one'],
    [['=x'], '"=x": expected key=value'],
    [['-'], '"-": expected key=value'],
    [['env=a', 'env-'], 'label "env" is given more than once'],
    [[], 'give at least one label change'],
  ])('refuses %j as a usage error', (args, message) => {
    expect(() => parseLabelChanges(args)).toThrow(message);
    try {
      parseLabelChanges(args);
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});

describe('mergeLabels', () => {
  const current = { env: 'prod', canary: 'true' };

  it('adds, keeps and removes', () => {
    expect(mergeLabels(current, parseLabelChanges(['region=eu', 'canary-', 'env=prod']), false)).toEqual({
      labels: { env: 'prod', region: 'eu' },
      missing: [],
    });
  });

  it('reports removals of labels that are not there', () => {
    expect(mergeLabels(current, parseLabelChanges(['nope-']), false)).toEqual({ labels: current, missing: ['nope'] });
  });

  it('refuses to change a value without overwrite, and changes it with', () => {
    expect(() => mergeLabels(current, parseLabelChanges(['env=dev']), false)).toThrow('label "env" already has the value "prod": pass --overwrite to change it');
    expect(mergeLabels(current, parseLabelChanges(['env=dev']), true).labels).toEqual({ env: 'dev', canary: 'true' });
  });
});
