import { describe, expect, it } from 'vitest';
import { featureOfSeries, SERIES } from './series.js';

describe('series names', () => {
  it('a feature series names its feature (everything after the first colon) and says whether it is the extra one', () => {
    expect(featureOfSeries(SERIES.feature('temp_max'))).toEqual({ name: 'temp_max', extra: false });
    expect(featureOfSeries(SERIES.featureExtra('temp_max'))).toEqual({ name: 'temp_max', extra: true });
    expect(featureOfSeries('feature:a:b')).toEqual({ name: 'a:b', extra: false });
    expect(featureOfSeries('feature-extra:')).toEqual({ name: '', extra: true });
  });

  it('other series are no feature\'s, though their names may contain one', () => {
    for (const series of [SERIES.latency, SERIES.latencyExtra, SERIES.confusion, SERIES.canaryEvidence, 'xfeature:a', 'features:a', 'feature']) {
      expect(featureOfSeries(series), series).toBeUndefined();
    }
  });
});
