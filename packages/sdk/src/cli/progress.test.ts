import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, isTTY, columns: 60, write: (s: string) => writes.push(s) };
};

describe('createProgress', () => {
  it('on a TTY: a bar redrawn in place, failures counted, cleared at the end', () => {
    const tty = stream(true);
    const progress = createProgress(tty, 4);
    progress.tick(false);
    progress.tick(true);
    expect(tty.writes.at(-1)).toMatch(/^\r\x1b\[2K\[#+-+\] 2\/4 \(1 failed\)$/);
    expect(tty.writes.at(-1)?.match(/#/g)).toHaveLength((tty.writes.at(-1)?.match(/[#-]/g)?.length ?? 0) / 2);
    const printed: string[] = [];
    progress.print(() => printed.push('a result'));
    expect(printed).toEqual(['a result']);
    expect(tty.writes.slice(-2)[0]).toBe('\r\x1b[2K'); // cleared before the line, redrawn after
    progress.done();
    expect(tty.writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('not a TTY (piped): writes nothing, still prints lines', () => {
    const piped = stream(false);
    const progress = createProgress(piped, 4);
    progress.tick(false);
    const printed: string[] = [];
    progress.print(() => printed.push('x'));
    progress.done();
    expect(piped.writes).toEqual([]);
    expect(printed).toEqual(['x']);
  });

  it('one item: no bar', () => {
    const tty = stream(true);
    createProgress(tty, 1).tick(false);
    expect(tty.writes).toEqual([]);
  });
});
