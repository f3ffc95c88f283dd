/**
 * The user catalog's format (docs/models.md): `{ "models": [entry, ...] }`, each entry saying only what its model
 * file cannot say for itself. Parsing turns every shape problem into one line naming the model id and the field.
 */
import { z } from 'zod';

export const TASKS = ['classify', 'detect', 'segment'] as const;
export type CatalogTask = (typeof TASKS)[number];

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/** Partial preprocessing: what the file does not say (its size and layout come from the file). */
const EntryInput = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    resize: z.enum(['stretch', 'letterbox']),
    pad: z.number().min(0).max(255),
    channels: z.enum(['RGB', 'BGR']),
    mean: Triple,
    std: Triple.refine((s) => s.every((v) => v > 0), 'every std is above 0'),
  })
  .partial()
  .strict();

/** Partial output spec: the kind and options when they cannot be inferred from the file. */
const EntryOutput = z
  .object({
    kind: z.enum(['probabilities', 'yolox-grid', 'detr-boxes', 'logits', 'class-map', 'yolo-v8', 'tflite-ssd']),
    name: z.string(),
    softmax: z.boolean(),
    strides: z.array(z.number().int().positive()).min(1),
    nms: z.boolean(),
    boxes: z.string(),
    labels: z.string(),
    scores: z.string(),
    classes: z.string(),
    count: z.string(),
    coordinates: z.enum(['image', 'input', 'normalized']),
    layout: z.enum(['NHWC', 'NCHW']),
  })
  .partial()
  .strict();

export const CatalogEntry = z
  .object({
    // The id names a folder under models/user/ and appears in URLs: keep it to a safe alphabet.
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-", at most 64, not starting with a symbol'),
    task: z.enum(TASKS, { error: (i) => `unknown task ${JSON.stringify(i.input)}; known: ${TASKS.join(', ')}` }),
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits').optional(),
    labels: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
    license: z.string().optional(),
    default: z.boolean().optional(),
    accuracy: z.string().optional(),
    provenance: z.string().optional(),
    where: z.enum(['edge', 'gpu', 'both']).optional(),
    prefer: z.enum(['edge', 'gpu']).optional(),
    input: EntryInput.optional(),
    output: EntryOutput.optional(),
  })
  .strict();
export type CatalogEntry = z.infer<typeof CatalogEntry>;
export type EntryOutput = z.infer<typeof EntryOutput>;

/** A problem with one model: `<id>: <field>: <what>`, the line `npm run models` prints. */
export interface Problem {
  id: string;
  field: string;
  message: string;
}
export const problemLine = (p: Problem) => `${p.id}: ${p.field}: ${p.message}`;

/** The entries of a parsed catalog, each either valid or with its problems; plus problems with the whole file. */
export function parseCatalog(json: unknown): { entries: { index: number; entry?: CatalogEntry; problems: Problem[] }[]; problems: Problem[] } {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { models?: unknown }).models)) {
    return { entries: [], problems: [{ id: 'catalog', field: 'models', message: 'the catalog is { "models": [ ... ] }' }] };
  }
  const extra = Object.keys(json).filter((k) => k !== 'models' && k !== '$schema');
  const problems: Problem[] = extra.map((k) => ({ id: 'catalog', field: k, message: 'unknown field (the catalog has only "models")' }));
  const entries = ((json as { models: unknown[] }).models).map((raw, index) => {
    const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `models[${index}]`;
    const result = CatalogEntry.safeParse(raw);
    if (result.success) return { index, entry: result.data, problems: [] };
    return {
      index,
      problems: result.error.issues.map((i): Problem => {
        const field = i.path.length > 0 ? i.path.join('.') : '(entry)';
        const message = i.code === 'unrecognized_keys' ? `unknown field ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : i.message;
        return { id: rawId, field: i.code === 'unrecognized_keys' && i.path.length === 0 ? '(entry)' : field, message };
      }),
    };
  });
  return { entries, problems };
}
