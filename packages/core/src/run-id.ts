import type { NamedTensors } from './tensor.js';

/*
 * A run's id rides on its outputs object under a symbol: run() keeps returning plain named tensors
 * (no wrapper to unpack, nothing new in Object.keys or a JSON dump), and the id is there for the
 * caller who wants to label the run later. Symbol.for, so two copies of the SDK in one page agree.
 */
const RUN_ID = Symbol.for('edgewise.runId');

/**
 * The id of the run that produced these outputs, for a later `model.feedback(id, label)`: the
 * `runId` you passed, or one the monitor minted (every monitored run of a classifier, unless
 * `monitor.labels.autoRunIds` is false). Undefined when the run's prediction was not kept.
 *
 * @example
 * const outputs = await model.run({ image });
 * const id = runIdOf(outputs);
 * // … later, when the user corrects the answer to 7
 * if (id) await model.feedback(id, 7);
 */
export function runIdOf(outputs: NamedTensors): string | undefined {
  return (outputs as { [RUN_ID]?: string })[RUN_ID];
}

/** Marks outputs with their run's id (what runIdOf reads); nothing when there is none. */
export function withRunId(outputs: NamedTensors, runId: string | undefined | void): NamedTensors {
  if (runId !== undefined) (outputs as { [RUN_ID]?: string })[RUN_ID] = runId;
  return outputs;
}
