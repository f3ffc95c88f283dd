/**
 * The OIP v2 runtime against real HTTP servers on loopback: a tiny protocol server (binary or JSON only), then one
 * fault per test. The timeout is driven by an injected timer that the test fires itself: no sleeps, no races.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackRequest, type LoopbackServer, sendJson, startLoopbackServer } from '../../../../../test/support/loopback-server';
import { tensor } from '../types';
import { decodeInferRequest, encodeInferResponse, type WireTensors } from './codec';
import { createOipRuntime, type OipArtifact } from './runtime';
import { UpstreamFailure } from './upstream-error';

const doubleArtifact: OipArtifact = {
  runtime: 'oip-v2',
  remote_name: 'double',
  form: 'raw',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, -1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, -1] }],
};
const bytesArtifact: OipArtifact = {
  runtime: 'oip-v2',
  remote_name: 'sum',
  form: 'raw',
  inputs: [{ name: 'pixels', datatype: 'UINT8', shape: [1, 3, 2, 2] }],
  outputs: [{ name: 'total', datatype: 'INT64', shape: [1] }],
};
const metadata: Record<string, unknown> = {
  double: { name: 'double', versions: ['1'], platform: 'test', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, -1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [1, -1] }] },
  sum: { name: 'sum', versions: ['1'], inputs: [{ name: 'pixels', datatype: 'UINT8', shape: [1, 3, 2, 2] }], outputs: [{ name: 'total', datatype: 'INT64', shape: [1] }] },
};

/** A correct OIP v2 server for two toy models; `binary` says whether it lists the binary tensor extension. */
function protocolServer(binary: boolean) {
  return (req: LoopbackRequest, res: ServerResponse) => {
    if (req.path === '/v2/health/ready') return void res.writeHead(200).end();
    if (req.path === '/v2') return sendJson(res, 200, { name: 'toy', version: '1', extensions: binary ? ['binary_tensor_data', 'model_repository'] : [] });
    const m = /^\/v2\/models\/([^/]+)(\/infer)?$/.exec(req.path);
    const name = m?.[1] ?? '';
    if (!m || !(name in metadata)) return sendJson(res, 404, { error: `Request for unknown model: '${name}' is not found` });
    if (!m[2]) return sendJson(res, 200, metadata[name]);
    const request = decodeInferRequest(req.body, (req.headers['inference-header-content-length'] as string | undefined) ?? null);
    let outputs: WireTensors;
    if (name === 'double') {
      const x = request.inputs.x;
      if (x?.dtype !== 'float32') return sendJson(res, 400, { error: 'x must be FP32' });
      outputs = { y: { dtype: 'float32', dims: x.dims, data: x.data.map((v) => v * 2) } };
    } else {
      const p = request.inputs.pixels;
      if (p?.dtype !== 'uint8') return sendJson(res, 400, { error: 'pixels must be UINT8' });
      outputs = { total: { dtype: 'int64', dims: [1], data: new BigInt64Array([BigInt(p.data.reduce((a, b) => a + b, 0))]) } };
    }
    const wantBinary = (n: string) => request.outputs.find((o) => o.name === n)?.binary ?? request.binaryOutput;
    const { body, headers } = encodeInferResponse(outputs, { model_name: name, model_version: '1', binary: wantBinary });
    res.writeHead(200, headers).end(body);
  };
}

/** A timer the test fires by hand. */
function manualTimer() {
  const pending: (() => void)[] = [];
  return {
    setTimeout: (fn: () => void) => (pending.push(fn), pending.length - 1),
    clearTimeout: () => {},
    fire: () => pending.splice(0).forEach((fn) => fn()),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamFailure);
  return error as UpstreamFailure;
}

const x = () => ({ x: tensor('float32', new Float32Array([1, 2.5, -3]), [1, 3]) });

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer(protocolServer(true));
});
afterAll(() => server.close());

describe('the protocol', () => {
  for (const binary of [true, false]) {
    it(`negotiates ${binary ? 'the binary tensor extension' : 'JSON tensors'} from the server's extensions and runs`, async () => {
      server.setHandler(protocolServer(binary));
      server.requests.length = 0;
      const gpu = createOipRuntime({ baseUrl: `${server.url}/`, apiKey: 'k1' });
      expect(gpu.kind).toBe('remote');
      expect(gpu.memoryBytes()).toBe(0);
      const model = await gpu.load({ artifact: doubleArtifact });
      expect(await model.run(x())).toEqual({ y: tensor('float32', new Float32Array([2, 5, -6]), [1, 3]) });
      await model.run(x());
      expect(await gpu.mode()).toBe(binary ? 'binary' : 'json');
      const infers = server.requests.filter((r) => r.path.endsWith('/infer'));
      expect(infers).toHaveLength(2);
      expect(infers[0]?.headers['inference-header-content-length'] !== undefined).toBe(binary);
      expect(infers[0]?.headers.authorization).toBe('Bearer k1');
      // Server metadata and model metadata: asked once each for two runs.
      expect(server.requests.filter((r) => r.path === '/v2')).toHaveLength(1);
      expect(server.requests.filter((r) => r.path === '/v2/models/double')).toHaveLength(1);
    });

    it(`sends a UINT8 input (${binary ? 'binary' : 'JSON'}) and reads an INT64 output`, async () => {
      server.setHandler(protocolServer(binary));
      const gpu = createOipRuntime({ baseUrl: server.url });
      const model = await gpu.load({ artifact: bytesArtifact });
      const pixels = tensor('uint8', Uint8Array.from({ length: 12 }, (_, i) => 250 - i), [1, 3, 2, 2]);
      expect(await model.run({ pixels })).toEqual({ total: tensor('int64', new BigInt64Array([2934n]), [1]) });
      if (binary) expect(gpu.lastTransfer()?.sent).toBeLessThan(400);
    });
  }

  it('reads readiness from the status code alone', async () => {
    server.setHandler(protocolServer(true));
    expect(await createOipRuntime({ baseUrl: server.url }).ready()).toBe(true);
    server.setHandler((_req, res) => void res.writeHead(503).end());
    expect(await createOipRuntime({ baseUrl: server.url }).ready()).toBe(false);
    expect(await createOipRuntime({ baseUrl: 'http://127.0.0.1:1' }).ready()).toBe(false);
  });

  it('says exactly what differs when the model metadata does not match, and checks it once', async () => {
    server.setHandler((req, res) => {
      if (req.path === '/v2') return sendJson(res, 200, { extensions: ['binary_tensor_data'] });
      if (req.path === '/v2/models/double') {
        return sendJson(res, 200, { name: 'double', inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 4] }, { name: 'mask', datatype: 'BOOL', shape: [1] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 1000] }] });
      }
      return sendJson(res, 500, { error: 'not expected' });
    });
    server.requests.length = 0;
    const gpu = createOipRuntime({ baseUrl: server.url });
    const model = await gpu.load({ artifact: doubleArtifact });
    const error = await failureOf(model.run(x()));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_error');
    expect(error.kind).toBe('mismatch');
    expect(error.countsAsFailure).toBe(false);
    expect(error.message).toContain("input 'x' is FP16 on the server, cvkit sends FP32");
    expect(error.message).toContain("the server expects input 'mask', which cvkit does not send");
    expect(error.message).toContain("output 'y' is missing (the server has 'logits')");
    expect(error.message).not.toContain('shape'); // [1,-1] fits [1,4]
    await failureOf(model.run(x()));
    expect(server.requests.filter((r) => r.path === '/v2/models/double')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path.endsWith('/infer'))).toHaveLength(0);
  });
});

describe('faults map to the contract codes', () => {
  const okUntilInfer = (infer: (req: LoopbackRequest, res: ServerResponse) => void) => (req: LoopbackRequest, res: ServerResponse) =>
    req.path.endsWith('/infer') ? infer(req, res) : protocolServer(true)(req, res);

  it('503 with Retry-After: upstream_unavailable, with the upstream Retry-After', async () => {
    server.setHandler(okUntilInfer((_req, res) => sendJson(res, 503, { error: 'model is loading' }, { 'retry-after': '12' })));
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.code, error.retryAfter, error.countsAsFailure]).toEqual([503, 'upstream_unavailable', 12, true]);
    expect(error.message).toContain('"model is loading"');
  });

  it('500 with a long multi-line error: upstream_error, summarised, never passed raw', async () => {
    const raw = `CUDA error: out of memory\n${'x'.repeat(5000)}\u0000secret-internal-path`;
    server.setHandler(okUntilInfer((_req, res) => sendJson(res, 500, { error: raw })));
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.code, error.countsAsFailure]).toEqual([502, 'upstream_error', true]);
    expect(error.message).toContain('CUDA error: out of memory');
    expect(error.message).not.toContain('secret-internal-path');
    expect(error.message.length).toBeLessThan(400);
  });

  it('a 400 is upstream_error that does not count against the breaker', async () => {
    server.setHandler(okUntilInfer((_req, res) => sendJson(res, 400, { error: 'unexpected shape for input x' })));
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.kind, error.countsAsFailure]).toEqual([502, 'refused', false]);
  });

  it('a connection reset: upstream_unavailable with Retry-After', async () => {
    server.setHandler(okUntilInfer((_req, res) => res.socket?.destroy()));
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.kind, error.countsAsFailure]).toEqual([503, 'connection', true]);
    expect(error.retryAfter).toBeGreaterThan(0);
  });

  it("a transport error that ends its own sentence is quoted without a second full stop (workerd's wording)", async () => {
    const lost: typeof fetch = async () => {
      throw new Error('Network connection lost.');
    };
    const runtime = createOipRuntime({ baseUrl: server.url, fetch: lost });
    const error = await failureOf(runtime.load({ artifact: doubleArtifact }).then((m) => m.run(x())));
    expect(error.message).toBe(`Could not reach the GPU tier at ${server.url}: Network connection lost.`);
  });

  it('nothing listening: upstream_unavailable', async () => {
    const error = await failureOf((await createOipRuntime({ baseUrl: 'http://127.0.0.1:1' }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.kind]).toEqual([503, 'connection']);
  });

  it('a slow answer past the timeout: 504 timeout, the upstream request cancelled', async () => {
    const timer = manualTimer();
    let arrived!: () => void;
    const reached = new Promise<void>((ok) => (arrived = ok));
    let closed!: () => void;
    const cancelled = new Promise<void>((ok) => (closed = ok));
    server.setHandler(
      okUntilInfer((_req, res) => {
        res.on('close', closed);
        arrived(); // ...and never answers
      }),
    );
    const model = await createOipRuntime({ baseUrl: server.url, timeoutMs: 250, ...timer }).load({ artifact: doubleArtifact });
    const run = model.run(x());
    await reached;
    timer.fire();
    const error = await failureOf(run);
    expect([error.status, error.code, error.countsAsFailure]).toEqual([504, 'timeout', true]);
    expect(error.message).toContain('250 ms');
    await cancelled;
  });

  it('a truncated binary body: upstream_error (malformed)', async () => {
    server.setHandler(
      okUntilInfer((_req, res) => {
        const { body, headers } = encodeInferResponse({ y: tensor('float32', new Float32Array([2, 5, -6]), [1, 3]) }, { model_name: 'double', binary: () => true });
        res.writeHead(200, headers).end(body.subarray(0, body.length - 5));
      }),
    );
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.kind, error.countsAsFailure]).toEqual([502, 'malformed', true]);
    expect(error.message).toMatch(/truncated/);
  });

  it('a wrong Inference-Header-Content-Length: upstream_error (malformed)', async () => {
    server.setHandler(
      okUntilInfer((_req, res) => {
        const { body, headers } = encodeInferResponse({ y: tensor('float32', new Float32Array([2, 5, -6]), [1, 3]) }, { model_name: 'double', binary: () => true });
        res.writeHead(200, { ...headers, 'inference-header-content-length': String(Number(headers['inference-header-content-length']) + 7) }).end(body);
      }),
    );
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect([error.status, error.kind]).toEqual([502, 'malformed']);
  });

  it('a 200 without the expected output, or of the wrong type: upstream_error', async () => {
    server.setHandler(
      okUntilInfer((_req, res) => {
        const { body, headers } = encodeInferResponse({ y: tensor('int32', new Int32Array([1, 2, 3]), [1, 3]) }, { model_name: 'double', binary: () => true });
        res.writeHead(200, headers).end(body);
      }),
    );
    const error = await failureOf((await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x()));
    expect(error.message).toContain("output 'y' is INT32 [1,3], expected FP32 [1,-1]");
  });

  it("the caller's abort aborts the upstream fetch: an AbortError, not an upstream failure", async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((ok) => (arrived = ok));
    let closed!: () => void;
    const cancelled = new Promise<void>((ok) => (closed = ok));
    server.setHandler(
      okUntilInfer((_req, res) => {
        res.on('close', closed);
        arrived();
      }),
    );
    const controller = new AbortController();
    const run = (await createOipRuntime({ baseUrl: server.url }).load({ artifact: doubleArtifact })).run(x(), { signal: controller.signal });
    await reached;
    controller.abort();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(UpstreamFailure);
    await cancelled;
  });
});
