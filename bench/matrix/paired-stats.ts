/** The paired statistics moved to @edgewise/model-tools so `edgewise quantize` reports with the same method. */
export * from '@edgewise/model-tools/paired-stats';
