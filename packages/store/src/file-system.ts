/**
 * The few file operations the store needs, so one store implementation serves every platform with
 * files: Node/Electron (node:fs), React Native (react-native-fs or expo-file-system, through an
 * adapter). Paths are '/'-joined strings.
 */
export interface FileSystem {
  /** The file's bytes, or undefined when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Optional: reads into `target` (up to its length); resolves with the file's size, or undefined when it does not exist. */
  readFileInto?(path: string, target: Uint8Array): Promise<number | undefined>;
  /** The file's UTF-8 text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  writeText(path: string, text: string): Promise<void>;
  /** Moves `from` to `to`, replacing `to`; atomic where the platform's rename is. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file or a directory tree; nothing happens when it does not exist. */
  remove(path: string): Promise<void>;
  /** Entry names in a directory; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its parents; nothing happens when it exists. */
  mkdir(dir: string): Promise<void>;
}
