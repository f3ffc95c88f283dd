/**
 * Runs a server command as a child and stops it the way a supervisor expects: SIGTERM, SIGINT or SIGHUP to this
 * process (systemd, a test harness, Ctrl-C) goes to the child and to everything it started (wrangler's workerd, a
 * tsx child), and this process exits only when they are gone and the port is free; so does the end of its parent
 * (npm, stopped by its PID, does not pass the signal on). npm start and npm run gpu
 * (scripts/start.mjs, scripts/gpu.mjs) use it; plain Node, no shell, so it works the same everywhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';

/** How long the children get to stop on the signal before they are killed. */
const GRACE_MS = 8_000;
/** How long to wait for the port after the children are gone (the kernel frees it at once; this is a bound). */
const PORT_WAIT_MS = 10_000;

/** Parent of every process: from /proc on Linux, from `ps` elsewhere. */
function parents() {
  const out = new Map();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {}
    }
    if (out.size > 0) return out;
  } catch {}
  for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid) out.set(pid, ppid);
  }
  return out;
}

/** Every process started under `pid` (children, grandchildren, ...), not `pid` itself. */
export function descendants(pid) {
  const parent = parents();
  const found = [];
  const within = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, of] of parent) {
      if (within.has(of) && !within.has(child)) {
        within.add(child);
        found.push(child);
        grew = true;
      }
    }
  }
  return found;
}

/** Whether a process is still running (a zombie waiting to be reaped is not). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}

/** Whether nothing listens on host:port (this process can bind it). */
export function portFree(port, host = '127.0.0.1') {
  return new Promise((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => ok(true)));
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function until(test, ms) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** The value of `--flag value` or `--flag=value` in `args` (the last one wins, as parseArgs does). */
export function flagValue(args, flag) {
  let value;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) value = args[i + 1];
    else if (args[i]?.startsWith(`${flag}=`)) value = args[i].slice(flag.length + 1);
  }
  return value;
}

/**
 * Runs `command args` with stdio inherited. Resolves with its exit code when it ends by itself; on a signal to
 * this process, stops it and its descendants and exits this process (128 + the signal's number) once `port` on
 * `host` is free.
 */
export function supervise(command, args, { env = process.env, port, host = '127.0.0.1' } = {}) {
  const child = spawn(command, args, { stdio: 'inherit', env });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 0))));
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    // Who to stop is read now: once wrangler exits, workerd is no longer its child and could not be found.
    const tree = [child.pid, ...descendants(child.pid)];
    for (const pid of tree) {
      try {
        process.kill(pid, signal);
      } catch {}
    }
    const gone = () => tree.every((pid) => !alive(pid));
    if (!(await until(gone, GRACE_MS))) {
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await until(gone, 2_000);
    }
    if (port !== undefined && !(await until(() => portFree(port, host), PORT_WAIT_MS))) {
      console.error(`supervise: port ${port} is still in use after stopping ${command}`);
    }
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((signal) => [signal, () => void stop(signal)]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // Under npm (`npm start`, `npm run gpu`), SIGTERM to npm's PID ends npm and its `sh -c` without passing the signal
  // on: this process only sees its parent go. It stops then as if it had been sent SIGTERM.
  const parent = process.ppid;
  const orphaned = setInterval(() => process.ppid !== parent && void stop('SIGTERM'), 250);
  return exited.then((code) => {
    clearInterval(orphaned);
    if (stopping) return new Promise(() => {}); // stop() exits once the port is free
    for (const [signal, handler] of handlers) process.off(signal, handler);
    return code;
  });
}
