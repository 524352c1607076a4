import * as fs from 'fs';
import * as path from 'path';

/**
 * Runs `run` and returns, in order, each fsync (`fsync <path the descriptor is open on>`) and
 * each rename (`rename <from name> <to name>`) it made, both still done for real. The spies are on
 * the fs module object itself: a namespace import's bindings cannot be replaced.
 */
export function recordDurableWrites(run: () => void): string[] {
  const nodeFs = jest.requireActual<typeof fs>('fs');
  const order: string[] = [];
  const realFsync = nodeFs.fsyncSync;
  const realRename = nodeFs.renameSync;
  const fsync = jest.spyOn(nodeFs, 'fsyncSync').mockImplementation(((fd: number) => {
    order.push(`fsync ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`);
    realFsync(fd);
  }) as typeof fs.fsyncSync);
  const rename = jest.spyOn(nodeFs, 'renameSync').mockImplementation(((from: fs.PathLike, to: fs.PathLike) => {
    order.push(`rename ${path.basename(String(from))} ${path.basename(String(to))}`);
    realRename(from, to);
  }) as typeof fs.renameSync);
  try {
    run();
  } finally {
    fsync.mockRestore();
    rename.mockRestore();
  }
  return order;
}
