/** The deployment files parse and say what the README promises: Triton on the generated repository, KServe with autoscaling. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './support/worker-server';

const load = (path: string) => parse(readFileSync(resolve(repoRoot, path), 'utf8'));

describe('deploy/', () => {
  it('Triton (compose): tritonserver on the generated model repository, HTTP on 8000, one GPU, readiness from /v2/health/ready', () => {
    const triton = load('deploy/triton/compose.yaml').services.triton;
    expect(triton.image).toMatch(/^nvcr\.io\/nvidia\/tritonserver:\d+\.\d+-py3$/);
    expect(triton.command[0]).toBe('tritonserver');
    expect(triton.command).toContain('--model-repository=/models');
    expect(triton.command).toContain('--strict-model-config=true');
    expect(triton.ports).toContain('8000:8000');
    expect(triton.volumes).toContain('../../gpu-repo:/models:ro');
    expect(triton.healthcheck.test.join(' ')).toContain('/v2/health/ready');
    expect(triton.deploy.resources.reservations.devices[0]).toMatchObject({ driver: 'nvidia', capabilities: ['gpu'] });
  });

  it('KServe: an InferenceService on the Triton runtime, OIP v2, autoscaling with at least one warm replica and a GPU each', () => {
    const isvc = load('deploy/kserve/inferenceservice.yaml');
    expect(isvc.apiVersion).toBe('serving.kserve.io/v1beta1');
    expect(isvc.kind).toBe('InferenceService');
    const { predictor } = isvc.spec;
    expect(predictor.minReplicas).toBeGreaterThanOrEqual(1);
    expect(predictor.maxReplicas).toBeGreaterThan(predictor.minReplicas);
    expect(['concurrency', 'rps']).toContain(predictor.scaleMetric);
    expect(predictor.scaleTarget).toBeGreaterThan(0);
    expect(predictor.model).toMatchObject({ modelFormat: { name: 'triton' }, runtime: 'kserve-tritonserver', protocolVersion: 'v2' });
    expect(predictor.model.storageUri).toMatch(/^(s3|gs|pvc|https?):\/\//);
    expect(predictor.model.resources.limits['nvidia.com/gpu']).toBe('1');
  });

  it('the README documents both', () => {
    const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain('deploy/triton/compose.yaml');
    expect(readme).toContain('deploy/kserve/inferenceservice.yaml');
  });
});
