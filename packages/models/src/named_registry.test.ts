import { describe, expect, it } from 'vitest';
import { NamedRegistry } from './named_registry.js';

class ThingError extends Error {
  override name = 'ThingError';
}

interface Thing {
  name: string;
  size: number;
}

const registry = (things: Thing[]) =>
  new NamedRegistry<Thing>(
    { kind: 'thing', kinds: 'things', nameOf: (t) => t.name, store: (t) => Object.freeze({ ...t }), handOut: (t) => ({ ...t }), error: (m) => new ThingError(m) },
    things,
  );

describe('NamedRegistry', () => {
  it('keeps entries in registration order, stores what store makes and hands out what handOut makes', () => {
    const original = { name: 'b', size: 2 };
    const r = registry([original, { name: 'a', size: 1 }]);
    expect(r.names()).toEqual(['b', 'a']);
    expect(r.has('a')).toBe(true);
    expect(r.has('c')).toBe(false);
    original.size = 99; // the stored copy is not the caller's object
    const handed = r.get('b');
    expect(handed).toEqual({ name: 'b', size: 2 });
    handed.size = 7; // nor is the handed-out one the stored copy
    expect(r.get('b').size).toBe(2);
    expect(Object.isFrozen(r.entries()[0])).toBe(true);
  });

  it('refuses a taken name and answers an unknown one with the likeliest meant name and the known ones, in its own error', () => {
    const r = registry([{ name: 'resnext50_32x4d', size: 1 }, { name: 'resnext101_32x8d', size: 2 }]);
    expect(() => r.register({ name: 'resnext50_32x4d', size: 3 })).toThrow(new ThingError('Thing "resnext50_32x4d" is already registered.'));
    expect(() => r.get('resnext50_32x4')).toThrow(new ThingError('Unknown thing "resnext50_32x4". Did you mean "resnext50_32x4d"? Known things: resnext50_32x4d, resnext101_32x8d.'));
    expect(() => r.get('vgg16')).toThrow(new ThingError('Unknown thing "vgg16". Known things: resnext50_32x4d, resnext101_32x8d.'));
    expect(() => r.get('vgg16')).toThrow(ThingError);
  });
});
