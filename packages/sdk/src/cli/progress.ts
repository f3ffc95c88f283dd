/**
 * A one-line progress bar on a terminal (stderr), redrawn in place; nothing at all when the stream is not a TTY
 * (piped or redirected), so logs and JSON Lines stay clean. Lines printed meanwhile go above the bar.
 */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

export interface Progress {
  /** One more item finished. */
  tick(failed: boolean): void;
  /** Prints a line (to `print`'s stream) without tearing the bar. */
  print(write: () => void): void;
  /** Clears the bar for good. */
  done(): void;
}

const CLEAR = '\r\x1b[2K';

export function createProgress(stream: ProgressStream, total: number): Progress {
  if (!stream.isTTY || total < 2) return { tick() {}, print: (write) => write(), done() {} };
  let finished = 0;
  let failed = 0;
  let shown = false;
  const draw = () => {
    const label = ` ${finished}/${total}${failed ? ` (${failed} failed)` : ''}`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 4));
    const full = Math.round((finished / total) * width);
    stream.write(`${CLEAR}[${'#'.repeat(full)}${'-'.repeat(width - full)}]${label}`);
    shown = true;
  };
  draw();
  return {
    tick(isFailure) {
      finished++;
      if (isFailure) failed++;
      draw();
    },
    print(write) {
      if (shown) stream.write(CLEAR);
      write();
      draw();
    },
    done() {
      if (shown) stream.write(CLEAR);
      shown = false;
    },
  };
}
