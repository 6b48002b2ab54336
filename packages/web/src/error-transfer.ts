import { deserializeError, serializeError, type SerializedError } from '@edgewise/core/internal';
import * as Comlink from 'comlink';

let installed = false;

/**
 * Replaces comlink's 'throw' handler, which flattens errors to {name, message, stack}, with one that
 * keeps the Edgewise class, `code` and fields. Both sides of the boundary call this.
 */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize: ({ value }: { value: unknown }) => [{ edgewise: serializeError(value) }, []],
    deserialize: (data: { edgewise: SerializedError }) => {
      throw deserializeError(data.edgewise);
    },
  } as Comlink.TransferHandler<{ value: unknown }, { edgewise: SerializedError }>);
}
