/**
 * `npm run gpu`: the reference OIP v2 server on 127.0.0.1:8000 (Triton's HTTP port), serving gpu-repo/.
 *
 *   npm run gpu -- --port 8000 --repo gpu-repo --threads 0 --cuda --json-only
 *   OIP_EXECUTION_PROVIDER=cuda npm run gpu
 */
import { parseArgs } from 'node:util';
import { type ExecutionProvider, startOipServer } from './server';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: 'gpu-repo' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
    threads: { type: 'string', default: '0' },
    cuda: { type: 'boolean', default: false },
    'json-only': { type: 'boolean', default: false },
  },
});

const provider: ExecutionProvider = values.cuda || process.env.OIP_EXECUTION_PROVIDER === 'cuda' ? 'cuda' : 'cpu';
try {
  const server = await startOipServer({
    repository: values.repo,
    host: values.host,
    port: Number(values.port),
    threads: Number(values.threads),
    executionProvider: provider,
    binary: !values['json-only'],
  });
  console.log(`oip-server: ${server.models.length} models on ${provider.toUpperCase()} at ${server.url} (GPU_URL=${server.url} npm start)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`oip-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
