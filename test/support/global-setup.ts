/** One real worker (wrangler dev / workerd) for the whole test run; tests read its URL with inject('workerUrl'). */
import type { TestProject } from 'vitest/node';
import { startWorker, type WorkerServer } from './worker-server';

let server: WorkerServer | undefined;

export async function setup(project: TestProject) {
  // Tests fetch image URLs from loopback servers they start: the default URL policy refuses loopback, so this
  // worker allows exactly 127.0.0.1 (test/hardening.test.ts runs a worker with the default policy).
  server = await startWorker({ vars: { IMAGE_URL_ALLOW: '127.0.0.1' } });
  project.provide('workerUrl', server.url);
  project.provide('workerPid', server.pid);
}

export async function teardown() {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerUrl: string;
    /** wrangler's process id: workerdRss(workerPid) reads the worker's memory. */
    workerPid: number;
  }
}
