import { FileSystemStore } from '@edgewise/store';
import { nodeFileSystem } from './node-file-system.js';

/**
 * The model store on disk, for Node and Electron's main process: chunks, records and states as files
 * under `dir` (FileSystemStore over node:fs).
 *
 * @example
 * const cache = new ModelCache(new FsStore(join(app.getPath('userData'), 'models')));
 */
export class FsStore extends FileSystemStore {
  constructor(dir: string) {
    super(nodeFileSystem, dir);
  }
}
