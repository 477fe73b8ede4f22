import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseInstance, type MultiModelCandidate } from './choose-instance.js';

class Instance implements MultiModelCandidate {
  readonly models = new Set<string>();
  constructor(
    readonly key: string,
    public outstanding = 0,
    public ready = true,
  ) {}
  holds(targetModel: string): boolean {
    return this.models.has(targetModel);
  }
}

const models = Array.from({ length: 600 }, (_, i) => `customer-${i}.tar.gz`);

test('an instance that holds the model gets its requests, the least busy of several holders', () => {
  const [a, b, c] = [new Instance('i-a', 2), new Instance('i-b', 0), new Instance('i-c', 1)];
  a.models.add('m');
  c.models.add('m');
  assert.equal(chooseInstance([a, b, c], 'm'), c);
  c.outstanding = 5;
  assert.equal(chooseInstance([a, b, c], 'm'), a);
});

test('a model nobody holds goes to its rendezvous-hash home: stable, spread, and only the lost instance share moves', () => {
  const instances = ['i-1', 'i-2', 'i-3', 'i-4'].map((key) => new Instance(key));
  const home = new Map(models.map((m) => [m, chooseInstance(instances, m)?.key]));
  for (const m of models) assert.equal(chooseInstance([...instances].reverse(), m)?.key, home.get(m), 'order of the list does not matter');
  const counts = new Map<string, number>();
  for (const key of home.values()) counts.set(key as string, (counts.get(key as string) ?? 0) + 1);
  for (const instance of instances)
    assert.ok((counts.get(instance.key) ?? 0) > 600 / 4 / 2, `${instance.key} gets a fair share: ${JSON.stringify([...counts])}`);
  const without = instances.filter((i) => i.key !== 'i-3');
  for (const m of models) {
    const now = chooseInstance(without, m)?.key;
    if (home.get(m) !== 'i-3') assert.equal(now, home.get(m), 'models of the other instances stay where they were');
    else assert.notEqual(now, 'i-3');
  }
});

test('an overloaded preferred instance hands the request to the least busy one', () => {
  const [a, b] = [new Instance('i-a', 20), new Instance('i-b', 1)];
  a.models.add('m');
  assert.equal(chooseInstance([a, b], 'm'), b);
  assert.equal(chooseInstance([a, b], 'm', new Set(), 100), a, 'within the slack the holder keeps it');
  const home = chooseInstance([new Instance('i-a'), new Instance('i-b')], 'n')?.key;
  const busyHome = [new Instance('i-a', home === 'i-a' ? 50 : 0), new Instance('i-b', home === 'i-b' ? 50 : 0)];
  assert.notEqual(chooseInstance(busyHome, 'n')?.key, home);
});

test('instances not ready or already tried are skipped; none left → undefined', () => {
  const [a, b] = [new Instance('i-a'), new Instance('i-b', 0, false)];
  a.models.add('m');
  assert.equal(chooseInstance([a, b], 'm'), a);
  assert.equal(chooseInstance([a, b], 'm', new Set([a])), undefined);
  b.ready = true;
  assert.equal(chooseInstance([a, b], 'm', new Set([a])), b);
  assert.equal(chooseInstance([], 'm'), undefined);
});
