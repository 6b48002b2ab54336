import type { BackendName, Engine, EngineSession, ModelArtifact, SessionOptions } from './engine.js';
import { AllBackendsFailedError, EngineWedgedError, ModelFormatError, describeError, type BackendAttempt } from './errors.js';

export interface SelectedSession {
  session: EngineSession;
  /** Every backend considered, in order, including the selected one. */
  attempts: BackendAttempt[];
}

/**
 * Opens a session on the first backend of `preferences` that works, recording why each earlier one
 * was passed over. Throws AllBackendsFailedError listing every cause when none works.
 */
export async function openOnFirstWorkingBackend(
  engine: Engine,
  artifact: ModelArtifact,
  preferences: readonly BackendName[],
  options: SessionOptions,
  phase: BackendAttempt['phase'],
  onAttempt: (attempt: BackendAttempt) => void = () => {},
): Promise<SelectedSession> {
  const attempts: BackendAttempt[] = [];
  const record = (attempt: BackendAttempt) => {
    attempts.push(attempt);
    onAttempt(attempt);
  };
  for (const backend of preferences) {
    if (!engine.backends.includes(backend)) {
      record({ backend, outcome: 'skipped', phase, reason: `engine "${engine.name}" has no "${backend}" backend on this platform` });
      continue;
    }
    try {
      const session = await engine.createSession(artifact, backend, options);
      record({ backend, outcome: 'selected', phase });
      return { session, attempts };
    } catch (error) {
      // A malformed model fails identically on every backend; say so once instead of N times.
      // A wedged engine fails every backend of this thread; only a new thread helps.
      if (error instanceof ModelFormatError || error instanceof EngineWedgedError) throw error;
      record({ backend, outcome: 'failed', phase, reason: describeError(error) });
    }
  }
  throw new AllBackendsFailedError(attempts);
}
