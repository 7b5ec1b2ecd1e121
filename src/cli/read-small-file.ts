/**
 * Reads a small configuration file (a daemon metadata file, a baseline) without trusting what the
 * path points at: a FIFO would block `readFileSync` forever, `/dev/zero` never ends, and a huge
 * file would be read whole. The file is opened non-blocking, must be a regular file (checked on
 * the open descriptor, so a symlink swap cannot slip past) and at most `maxBytes` long.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export class SmallFileError extends Error {
  override name = 'SmallFileError';
}

export function readSmallFile(path: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new SmallFileError(error instanceof Error ? error.message : String(error));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SmallFileError(`not a regular file (${kindOf(stat)})`);
    if (stat.size > maxBytes) throw new SmallFileError(`larger than ${maxBytes} bytes (${stat.size} bytes)`);
    // Read at most maxBytes + 1: a file that grows after fstat is still caught.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new SmallFileError(`larger than ${maxBytes} bytes`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
