import { readFileSync } from 'node:fs';
import { buildBaseline, parseCsv, type Baseline, type FeatureSpec } from '@edgewise/drift';
import { denseNetworkToOnnx, randomDenseNetwork } from '@edgewise/model-tools';
import { packageFile } from './package-file.js';

/**
 * A tabular model over seattle-weather (vega-datasets): 4 numeric features → 5 weather classes.
 * Its weights are random: it exists to exercise monitoring on real inputs, not to forecast.
 */
export const WEATHER_FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;

/** Features as the monitor reads them from the model's [batch, 4] input. */
export const WEATHER_FEATURE_SPECS: FeatureSpec[] = WEATHER_FEATURES.map((name, index) => ({ name, input: 'input', reduce: 'value', index }));

export function seattleWeather() {
  return parseCsv(readFileSync(packageFile('vega-datasets', 'data/seattle-weather.csv'), 'utf8'));
}

/** Rows (as [precipitation, temp_max, temp_min, wind]) whose date matches `keep`. */
export function weatherRows(keep: (date: string) => boolean): number[][] {
  const data = seattleWeather();
  const rows: number[][] = [];
  data.date!.forEach((d, i) => {
    if (keep(String(d))) rows.push(WEATHER_FEATURES.map((f) => data[f]![i] as number));
  });
  return rows;
}

/** Training period of the baseline: 2012–2013. */
export const inTraining = (date: string) => date < '2014';

export function weatherBaseline(): Baseline {
  const rows = weatherRows(inTraining);
  return buildBaseline(Object.fromEntries(WEATHER_FEATURES.map((f, j) => [f, rows.map((r) => r[j]!)])));
}

export const weatherModel = () => denseNetworkToOnnx(randomDenseNetwork([4, 16, 5], 7), { batch: 'batch' });
