/**
 * The README's examples, run as written (bash + curl) against the suite's worker, so that what the README shows
 * cannot drift from what the worker answers. A block is run when the line before it is a
 * `<!-- readme-example ... -->` comment; `127.0.0.1:8787` becomes the suite's worker and `../shared/fixtures/images`
 * the fixture folder. What each command must answer is the README's own text: a `# -> {...}` line under the command
 * (`...` elides the rest, arrays are matched element for element), or a ```json block right after the sh block (the
 * whole answer of its last command, timings aside). Pictures saved with `-o` must be images; any other answer must
 * be JSON without an error, except a public https URL, which offline may only fail as the README says it does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { fixturesDir } from './support/fixtures';
import { repoRoot } from './support/worker-server';

const base = inject('workerUrl');
const out = mkdtempSync(join(tmpdir(), 'cvkit-readme-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface ReadmeCommand {
  /** The command as the README spells it (continuation lines joined). */
  text: string;
  /** The `# -> ...` line under it, without the arrow. */
  shown?: string;
}

interface ReadmeExample {
  /** 1-based line of the marker, for messages. */
  line: number;
  commands: ReadmeCommand[];
  /** The ```json block that follows the sh block: the answer of its last command. */
  answer?: string;
}

/** The marked sh blocks of a README, split into commands with what each is shown to answer. */
function readmeExamples(markdown: string): ReadmeExample[] {
  const lines = markdown.split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith('<!-- readme-example')) continue;
    const line = i + 1;
    if (lines[++i] !== '```sh') throw new Error(`README.md:${line}: a readme-example marker must be followed by a sh block`);
    const commands: ReadmeCommand[] = [];
    let pending = '';
    while (++i < lines.length && lines[i] !== '```') {
      const text = lines[i] as string;
      if (text.startsWith('# -> ')) {
        const last = commands.at(-1);
        if (!last) throw new Error(`README.md:${i + 1}: "# ->" before any command`);
        last.shown = text.slice(5);
      } else if (pending === '' && (text.startsWith('#') || text.trim() === '')) continue;
      else if (/(\\|\|)\s*$/.test(text)) pending += `${text}\n`;
      else {
        commands.push({ text: pending + text });
        pending = '';
      }
    }
    let j = i + 1;
    while (lines[j]?.trim() === '') j++;
    let answer: string | undefined;
    if (lines[j] === '```json') {
      const end = lines.indexOf('```', j + 1);
      answer = lines.slice(j + 1, end).join('\n');
    }
    examples.push({ line, commands, ...(answer === undefined ? {} : { answer }) });
  }
  return examples;
}

/** A shown answer with `...` elisions, as the object it promises: `{"a":1,...}` -> `{a: 1}`. */
function shownObject(shown: string): unknown {
  const text = shown.replace(/,\s*\.\.\.(?=\s*[,}\]])/g, '').replace(/\.\.\.\s*,\s*/g, '').replace(/\{\s*\.\.\.\s*\}/g, '{}');
  return JSON.parse(text);
}

function run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = command.replaceAll('http://127.0.0.1:8787', base).replaceAll('../shared/fixtures/images', fixturesDir);
  return new Promise((ok) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: out, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      ok({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const withoutTimings = (body: Record<string, unknown>) => ({ ...body, timings: Object.keys((body.timings ?? {}) as object) });
const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];

const examples = readmeExamples(readFileSync(resolve(repoRoot, 'README.md'), 'utf8'));

describe('README examples, run against the worker', () => {
  it('the README marks its quick-start blocks', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.flatMap((e) => e.commands).length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples.flatMap((e) => e.commands.map((c, k) => ({ ...c, line: e.line, answer: k === e.commands.length - 1 ? e.answer : undefined }))))(
    'README.md:$line: $text',
    async ({ text, shown, answer }) => {
      const { code, stdout, stderr } = await run(text);
      expect(code, stderr).toBe(0);
      const file = /-o (\S+)\s*$/.exec(text)?.[1];
      if (file) {
        const bytes = readFileSync(join(out, file));
        const magic = file.endsWith('.png') ? PNG : JPEG;
        expect([...bytes.subarray(0, magic.length)], file).toEqual(magic);
        return;
      }
      const body = JSON.parse(stdout) as Record<string, unknown>;
      if (answer !== undefined) expect(withoutTimings(body)).toEqual(withoutTimings(JSON.parse(answer) as Record<string, unknown>));
      if (shown !== undefined) expect(body).toMatchObject(shownObject(shown) as object);
      if ('error' in body) {
        // Only a public URL may fail, and only as the README's comment above it says (the suite runs offline).
        expect(text).toMatch(/https:\/\//);
        expect(body.error).toMatchObject({ code: 'fetch_failed', message: expect.stringMatching(/^Could not fetch the image URL/) });
      }
    },
    120_000,
  );
});

describe('readmeExamples and shownObject', () => {
  it('split a marked block into commands, joining continuations, with their shown answers', () => {
    const md = ['<!-- readme-example -->', '```sh', '# a comment', "printf x |", '  curl -d @- u', '# -> {"a":1,...}', 'curl v', '```', '', '```json', '{"b":2}', '```'].join('\n');
    expect(readmeExamples(md)).toEqual([{ line: 1, commands: [{ text: 'printf x |\n  curl -d @- u', shown: '{"a":1,...}' }, { text: 'curl v' }], answer: '{"b":2}' }]);
  });

  it('read the elisions', () => {
    expect(shownObject('{"task":"detect",...,"detections":[{"label":"dog",...},{"label":"dog",...}],"counts":{"dog":2},...}')).toEqual({
      task: 'detect',
      detections: [{ label: 'dog' }, { label: 'dog' }],
      counts: { dog: 2 },
    });
  });
});
