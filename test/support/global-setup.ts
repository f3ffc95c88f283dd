/** One real worker (wrangler dev / workerd) for the whole test run; tests read its URL with inject('workerUrl'). */
import type { TestProject } from 'vitest/node';
import { startWorker, type WorkerServer } from './worker-server';

let server: WorkerServer | undefined;

export async function setup(project: TestProject) {
  server = await startWorker();
  project.provide('workerUrl', server.url);
}

export async function teardown() {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerUrl: string;
  }
}
