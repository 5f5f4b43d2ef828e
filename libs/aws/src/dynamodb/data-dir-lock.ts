import { OperatorError } from '@app/common';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The lock file's name inside DATA_DIR: it holds the owner's pid. */
export const LOCK_FILE = 'statuspage.pid';

export interface DataDirLock {
  release(): void;
}

/**
 * One process per data directory. LevelDB holds its own lock, but a second process only learns of it as
 * "Database is closed" deep inside a request; this lock is taken before the database opens, and a second process
 * stops at once saying which process holds it. A lock left by a process that is gone (kill -9, power loss) is
 * taken over.
 */
export function lockDataDir(dataDir: string, shownAs = dataDir): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner !== null && owner !== process.pid && isRunning(owner))
      throw new OperatorError(
        `data directory ${shownAs} is in use by another process (pid ${owner}); stop that process first, or give this one its own DATA_DIR`,
      );
    // Stale: its owner is gone (or unreadable). Remove it and try again.
    try {
      unlinkSync(path);
    } catch {
      /* someone else removed it */
    }
  }
  throw new OperatorError(`data directory ${shownAs} could not be locked (${path} keeps reappearing)`);
}

function readOwner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists and (on Linux) is a Node.js process, so a recycled pid isn't "in use". */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node/i.test(command);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}
