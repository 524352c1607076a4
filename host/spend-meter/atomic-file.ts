/**
 * The one way the spend meter writes its files (its state, the breaker's markers): atomically and
 * durably. The text goes to a temporary file beside the target (created with `mode`), is fsynced,
 * renamed over the target, and then the folder is fsynced so that the rename itself survives a
 * crash: a reader sees the old file or the new one, never a part, and after a reboot the new one.
 * A failed write or rename removes the temporary file and throws.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Writes `text` to `file` atomically and durably (the file's mode `mode`; its folder must exist). */
export function writeFileAtomic(file: string, text: string, mode: number = 0o600): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
