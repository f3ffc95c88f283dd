/**
 * Generates a Triton model repository from cvkit's manifest: for every model the GPU tier serves,
 * `<remote_name>/config.pbtxt` and `<remote_name>/1/model.onnx` (a symlink to, or a copy of, the installed file).
 * The config's tensors come from the ONNX file itself (dynamic dimensions as -1) and are checked against what the
 * worker will send and expect, so a manifest that disagrees with its file fails here, not on the first request.
 * User models come too: every model in the installed `catalog.json` (npm run models with a user catalog) that has an
 * `oip-v2` artifact is served from its ONNX file under models/user/, as its edge twin (form raw).
 *
 *   npm run gpu:repo                      # models/ -> gpu-repo/ (symlinks)
 *   tsx packages/oip-server/src/generate-repo.ts --models models --out gpu-repo --copy --kind KIND_GPU
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { OipArtifact, OipTensorSpec } from '../../worker/src/runtimes/oip-v2/runtime';
import { gpuModels } from '../../worker/src/models/placement';
import { expectedTensors, type OutputSpec, outputKindOf } from '../../worker/src/outputs';
import { metadataDifferences } from '../../worker/src/runtimes/oip-v2/metadata';
import { appendArgmax } from './onnx-argmax';
import { formatConfig, type ModelConfig, protocolDatatype, type TensorConfig, type TritonDataType } from './model-config';

const MARKER = '.cvkit-model-repository';

const TYPES: Record<string, TritonDataType> = { float32: 'TYPE_FP32', uint8: 'TYPE_UINT8', int32: 'TYPE_INT32', int64: 'TYPE_INT64' };

interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: (number | string)[];
}

function tensorConfigs(list: readonly OrtValueMetadata[], file: string): TensorConfig[] {
  return list.map((m) => {
    const dataType = m.type ? TYPES[m.type] : undefined;
    if (!m.isTensor || !dataType || !m.shape) throw new Error(`${file}: tensor '${m.name}' (${m.type ?? 'no type'}) cannot be served`);
    return { name: m.name, data_type: dataType, dims: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
  });
}

/** One model to serve: its id and task (for the config's comment), input size, remote artifact and source file. */
interface ServedModel {
  model: { id: string; task: string; input: { width: number; height: number } };
  artifact: OipArtifact;
  source: string;
  appendArgmax?: { logits: string; axis: number };
}

/** The user catalog's model as catalog.json has it (the fields read here). */
interface CatalogModel {
  id: string;
  task: string;
  input: { width: number; height: number };
  artifacts: {
    runtime: string;
    source?: string;
    remote_name?: string;
    input: { name: string; layout: 'NCHW' | 'NHWC'; dtype: 'float32' | 'uint8' };
    feeds?: { name: string }[];
    output: Record<string, string | boolean | number[]> & { kind: string };
  }[];
}

/**
 * What a user model's remote artifact returns, from its output kind's declaration in the worker's registry (as the
 * manifest's models get it in placement.ts): the first accepted type, uint8 outputs being float on the server.
 */
function catalogOutputs(id: string, output: CatalogModel['artifacts'][number]['output']): OipTensorSpec[] {
  if (!outputKindOf(output.kind)) throw new Error(`${id}: output kind '${output.kind}' is not registered in the worker (packages/worker/src/outputs)`);
  const datatype = { float32: 'FP32', int64: 'INT64', int32: 'INT32', uint8: 'FP32' } as const;
  return expectedTensors(output as unknown as OutputSpec).map((t) => ({ name: t.name, datatype: datatype[t.dtypes[0] ?? 'float32'], shape: [...t.shape] }));
}

/** Every user model in `<modelDir>/catalog.json` that the GPU tier serves (none when there is no catalog). */
export async function catalogGpuModels(modelDir: string): Promise<ServedModel[]> {
  const text = await readFile(join(modelDir, 'catalog.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const catalog = JSON.parse(text) as { models: CatalogModel[] };
  return catalog.models.flatMap((model): ServedModel[] => {
    const remote = model.artifacts.find((a) => a.runtime === 'oip-v2');
    if (!remote?.source) return [];
    const { width, height } = model.input;
    const image: OipTensorSpec = { name: remote.input.name, datatype: remote.input.dtype === 'uint8' ? 'UINT8' : 'FP32', shape: remote.input.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3] };
    const feeds: OipTensorSpec[] = (remote.feeds ?? []).map((f) => ({ name: f.name, datatype: 'INT64', shape: [1, 2] }));
    const outputs = catalogOutputs(model.id, remote.output);
    return [{ model, source: remote.source, artifact: { runtime: 'oip-v2', remote_name: remote.remote_name ?? model.id, form: 'raw', inputs: [image, ...feeds], outputs } }];
  });
}

export interface GenerateOptions {
  /** The installed model pack (npm run models): where the ONNX files are. */
  modelDir: string;
  outDir: string;
  /** Copy the files instead of symlinking them (for a container image or a bucket upload). */
  copy?: boolean;
  /** Instance kind written in each config: KIND_GPU for Triton on a GPU (default), KIND_CPU to try it on a CPU. */
  kind?: ModelConfig['instance_kind'];
  /** Only these model ids (tests); default: every model the GPU tier serves. */
  only?: string[];
}

export async function generateRepository({ modelDir, outDir, copy = false, kind = 'KIND_GPU', only }: GenerateOptions): Promise<ModelConfig[]> {
  const out = resolve(outDir);
  const existing = await readdir(out).catch(() => undefined);
  if (existing && existing.length > 0 && !existing.includes(MARKER)) {
    throw new Error(`${out} exists and is not a generated model repository (no ${MARKER}); refusing to overwrite it`);
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, MARKER), 'Generated by `npm run gpu:repo` from packages/worker/src/models/manifest.json. Do not edit.\n');

  const configs: ModelConfig[] = [];
  const served: ServedModel[] = [...gpuModels(), ...(await catalogGpuModels(modelDir))];
  for (const { model, artifact, source: file, appendArgmax: argmax } of served) {
    if (only && !only.includes(model.id)) continue;
    const source = resolve(modelDir, file);
    if (!(await stat(source).catch(() => undefined))) throw new Error(`${source} is not installed: run \`npm run models\` first`);
    // A logits model served argmax-in-graph gets its ArgMax here (a new file; everything else is linked as it is).
    const edited = argmax
      ? appendArgmax(new Uint8Array(await readFile(source)), {
          ...argmax,
          output: artifact.outputs[0]?.name as string,
          dims: [1, model.input.height, model.input.width],
        })
      : undefined;
    const session = await (edited ? ort.InferenceSession.create(edited) : ort.InferenceSession.create(source));
    const config: ModelConfig = {
      name: artifact.remote_name,
      platform: 'onnxruntime_onnx',
      max_batch_size: 0,
      input: tensorConfigs(session.inputMetadata as readonly OrtValueMetadata[], file),
      output: tensorConfigs(session.outputMetadata as readonly OrtValueMetadata[], file),
      instance_kind: kind,
    };
    await session.release();
    const asMetadata = (list: TensorConfig[]) => list.map((t) => ({ name: t.name, datatype: protocolDatatype(t.data_type), shape: t.dims }));
    const differences = metadataDifferences(artifact, { name: config.name, inputs: asMetadata(config.input), outputs: asMetadata(config.output) });
    if (differences.length > 0) throw new Error(`${model.id}: ${file} does not fit the manifest: ${differences.join('; ')}`);
    const dir = join(out, config.name);
    await mkdir(join(dir, '1'), { recursive: true });
    await writeFile(join(dir, 'config.pbtxt'), formatConfig(config, `cvkit model ${model.id} (${model.task}), served form: ${artifact.form}.\nGenerated by npm run gpu:repo; do not edit.`));
    const target = join(dir, '1', 'model.onnx');
    await (edited ? writeFile(target, edited) : copy ? copyFile(source, target) : symlink(source, target));
    configs.push(config);
  }
  return configs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'models' },
      out: { type: 'string', default: 'gpu-repo' },
      copy: { type: 'boolean', default: false },
      kind: { type: 'string', default: 'KIND_GPU' },
    },
  });
  if (values.kind !== 'KIND_GPU' && values.kind !== 'KIND_CPU') throw new Error('--kind is KIND_GPU or KIND_CPU');
  const configs = await generateRepository({ modelDir: values.models, outDir: values.out, copy: values.copy, kind: values.kind });
  console.log(`gpu:repo: ${configs.length} models in ${resolve(values.out)}: ${configs.map((c) => c.name).join(', ')}`);
}
