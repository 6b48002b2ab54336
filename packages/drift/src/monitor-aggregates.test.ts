import { OTHER_KEY } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from './baseline.js';
import { ModelMonitor } from './model-monitor.js';

/** What an uplink sends from a monitor: only categories the baseline knows leave the device. */
describe('ModelMonitor.aggregates: categories outside the baseline', () => {
  const baseline = buildBaseline({ sky: ['sun', 'sun', 'rain', 'fog'] }, { categorical: ['sky'] });

  it(`folds every category the baseline does not know into "${OTHER_KEY}", keeping the count`, () => {
    const monitor = new ModelMonitor({ baseline, features: [{ name: 'sky', input: 'x' }] });
    const sky = monitor.features.get('sky')!;
    // A user-typed value, a prototype key and a number that is not in the vocabulary.
    for (const category of ['sun', 'rain', 'sun', 'alice@example.com', 'constructor', 'toString', 7]) sky.update(category as never);
    sky.update(null as never);
    const { body } = monitor.aggregates();
    expect(body.features.sky).toEqual({ kind: 'categorical', counts: { sun: 2, rain: 1, [OTHER_KEY]: 4 }, missing: 1 });
  });

  it('without a categorical baseline for the feature, every category is folded', () => {
    const monitor = new ModelMonitor({ features: [{ name: 'sky', input: 'x' }] });
    monitor.features.set('sky', new ModelMonitor({ baseline, features: [{ name: 'sky', input: 'x' }] }).features.get('sky')!);
    const sky = monitor.features.get('sky')!;
    sky.update('sun' as never);
    sky.update('rain' as never);
    expect(monitor.aggregates().body.features.sky).toMatchObject({ counts: { [OTHER_KEY]: 2 } });
  });
});
