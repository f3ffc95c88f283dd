/**
 * The Open Inference Protocol v2 (KServe v2 / Triton HTTP) wire codec: inference requests and responses as JSON
 * tensors, or with Triton's binary tensor data extension (a JSON header of `Inference-Header-Content-Length` bytes,
 * then each binary tensor's raw little-endian bytes in order, sized by its `binary_data_size` parameter).
 * Pure functions on bytes and typed arrays, used by the worker's client and by the reference server alike.
 * Anything malformed throws `OipFormatError`, never a generic error: the client maps it to `upstream_error`,
 * the server to a 400.
 */
import { z } from 'zod';
import type { DType, Tensor } from '../types';

/** The element types this codec carries: the seam's four, plus BYTES (4-byte little-endian length + bytes each). */
export type OipDatatype = 'FP32' | 'UINT8' | 'INT32' | 'INT64' | 'BYTES';

/** A tensor on the wire: a seam tensor, or a BYTES tensor (one byte string per element). */
export type WireTensor = Tensor | { dtype: 'bytes'; dims: number[]; data: Uint8Array[] };
export type WireTensors = Record<string, WireTensor>;

export class OipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OipFormatError';
  }
}

const DATATYPE: Record<DType | 'bytes', OipDatatype> = { float32: 'FP32', uint8: 'UINT8', int32: 'INT32', int64: 'INT64', bytes: 'BYTES' };
const DTYPE: Record<OipDatatype, DType | 'bytes'> = { FP32: 'float32', UINT8: 'uint8', INT32: 'int32', INT64: 'int64', BYTES: 'bytes' };
const ELEMENT_BYTES: Record<DType, number> = { float32: 4, uint8: 1, int32: 4, int64: 8 };

export function datatypeOf(dtype: DType | 'bytes'): OipDatatype {
  return DATATYPE[dtype];
}

/** The seam dtype of a protocol datatype; undefined for datatypes this codec does not carry (FP16, BOOL, ...). */
export function dtypeOf(datatype: string): DType | 'bytes' | undefined {
  return (DTYPE as Record<string, DType | 'bytes'>)[datatype];
}

const elementCount = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

// The host byte order decides whether typed-array bytes are already the wire's little-endian bytes.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const Parameters = z.record(z.string(), z.unknown()).optional();
const Shape = z.array(z.number().int().min(0).max(2 ** 31));
const JsonData = z.array(z.unknown());

/** `$request_input` / `$response_output`: tensor metadata, then data as JSON or as `binary_data_size` bytes. */
const TensorHeader = z.object({
  name: z.string().min(1),
  shape: Shape,
  datatype: z.string(),
  parameters: Parameters,
  data: JsonData.optional(),
});
type TensorHeader = z.infer<typeof TensorHeader>;

const RequestedOutput = z.object({ name: z.string().min(1), parameters: Parameters });

const InferRequestHeader = z.object({
  id: z.string().optional(),
  parameters: Parameters,
  inputs: z.array(TensorHeader),
  outputs: z.array(RequestedOutput).optional(),
});

const InferResponseHeader = z.object({
  model_name: z.string().optional(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: Parameters,
  outputs: z.array(TensorHeader),
});

// ---------------------------------------------------------------------------------------------------------------
// BYTES elements

/** BYTES elements as the binary extension lays them out: a 4-byte little-endian length, then the bytes, each. */
export function encodeBytesElements(items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, item) => n + 4 + item.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const item of items) {
    view.setUint32(at, item.length, true);
    out.set(item, at + 4);
    at += 4 + item.length;
  }
  return out;
}

export function decodeBytesElements(bytes: Uint8Array, count: number): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new OipFormatError(`BYTES tensor ends inside element ${i}'s length prefix`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) throw new OipFormatError(`BYTES element ${i} declares ${length} bytes, ${bytes.length - at - 4} remain`);
    items.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== bytes.length) throw new OipFormatError(`BYTES tensor has ${bytes.length - at} bytes after its ${count} elements`);
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// Tensor data <-> bytes / JSON

function tensorBytes(t: WireTensor): Uint8Array {
  if (t.dtype === 'bytes') return encodeBytesElements(t.data);
  if (!LITTLE_ENDIAN) throw new Error('big-endian hosts are not supported');
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function jsonData(t: WireTensor): unknown[] {
  if (t.dtype === 'bytes') return t.data.map((b) => new TextDecoder().decode(b));
  if (t.dtype === 'int64') return Array.from(t.data, Number);
  return Array.from(t.data as ArrayLike<number>);
}

/** A typed array over `bytes`: a view when aligned, else a copy (typed arrays need aligned offsets). */
function typedFromBytes(dtype: DType, bytes: Uint8Array, count: number): Tensor['data'] {
  const size = ELEMENT_BYTES[dtype];
  const aligned = bytes.byteOffset % size === 0;
  const source = aligned ? bytes : bytes.slice();
  const { buffer, byteOffset } = source;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, count);
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, count);
    case 'int32':
      return new Int32Array(buffer, byteOffset, count);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, count);
  }
}

function flatten(data: unknown[], out: unknown[] = []): unknown[] {
  for (const v of data) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(v);
  }
  return out;
}

function fromJson(name: string, dtype: DType | 'bytes', dims: number[], raw: unknown[]): WireTensor {
  const values = flatten(raw);
  const count = elementCount(dims);
  if (values.length !== count) throw new OipFormatError(`tensor '${name}' of shape [${dims.join(',')}] needs ${count} values, got ${values.length}`);
  if (dtype === 'bytes') {
    if (!values.every((v) => typeof v === 'string')) throw new OipFormatError(`BYTES tensor '${name}' holds a value that is not a string`);
    return { dtype, dims, data: (values as string[]).map((s) => new TextEncoder().encode(s)) };
  }
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OipFormatError(`tensor '${name}' holds a value that is not a finite number`);
  }
  const numbers = values as number[];
  switch (dtype) {
    case 'float32':
      return { dtype, dims, data: Float32Array.from(numbers) };
    case 'uint8':
      return { dtype, dims, data: Uint8Array.from(numbers) };
    case 'int32':
      return { dtype, dims, data: Int32Array.from(numbers) };
    case 'int64':
      return { dtype, dims, data: BigInt64Array.from(numbers, (n) => BigInt(Math.trunc(n))) };
  }
}

function elementsOf(t: WireTensor): number {
  return t.data.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages: a JSON header, then the binary tensors it sizes

export interface EncodedMessage {
  body: Uint8Array;
  /** Content-Type plus, in binary mode, `Inference-Header-Content-Length`. */
  headers: Record<string, string>;
}

interface TensorEntry {
  name: string;
  tensor: WireTensor;
  binary: boolean;
}

function encodeTensors(entries: TensorEntry[]): { headers: Record<string, unknown>[]; chunks: Uint8Array[] } {
  const headers: Record<string, unknown>[] = [];
  const chunks: Uint8Array[] = [];
  for (const { name, tensor, binary } of entries) {
    if (tensor.dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`tensor '${name}' has an invalid shape [${tensor.dims.join(',')}]`);
    if (tensor.dtype !== 'bytes' && elementsOf(tensor) !== elementCount(tensor.dims)) {
      throw new Error(`tensor '${name}' of shape [${tensor.dims.join(',')}] has ${elementsOf(tensor)} elements`);
    }
    const head: Record<string, unknown> = { name, shape: tensor.dims, datatype: DATATYPE[tensor.dtype] };
    if (binary) {
      const bytes = tensorBytes(tensor);
      head.parameters = { binary_data_size: bytes.length };
      chunks.push(bytes);
    } else {
      head.data = jsonData(tensor);
    }
    headers.push(head);
  }
  return { headers, chunks };
}

function assemble(header: Record<string, unknown>, chunks: Uint8Array[]): EncodedMessage {
  let text = JSON.stringify(header);
  if (chunks.length === 0) return { body: new TextEncoder().encode(text), headers: { 'content-type': 'application/json' } };
  // Pad the header with JSON whitespace to a multiple of 8 bytes: the first tensor then starts aligned, and the
  // reader can view the bytes as a typed array instead of copying them (every later tensor, if sizes allow).
  text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  const json = new TextEncoder().encode(text);
  const body = new Uint8Array(json.length + chunks.reduce((n, c) => n + c.length, 0));
  body.set(json, 0);
  let at = json.length;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return { body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) } };
}

/** Splits a body into its JSON header and the binary part, checking `Inference-Header-Content-Length`. */
function split(body: Uint8Array, headerLength: string | null | undefined): { header: unknown; binary: Uint8Array } {
  let length = body.length;
  if (headerLength !== null && headerLength !== undefined) {
    if (!/^\d{1,10}$/.test(headerLength.trim())) throw new OipFormatError(`Inference-Header-Content-Length '${headerLength.slice(0, 20)}' is not a byte count`);
    length = Number(headerLength);
    if (length > body.length) throw new OipFormatError(`Inference-Header-Content-Length is ${length} but the body has ${body.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, length)));
  } catch {
    throw new OipFormatError(`the inference header (${length} bytes) is not JSON${headerLength != null ? ': Inference-Header-Content-Length is wrong or the body is cut' : ''}`);
  }
  return { header, binary: body.subarray(length) };
}

function parseHeader<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new OipFormatError(`the ${what} does not follow the protocol: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
}

/** Reads the tensors a header lists, taking binary ones from `binary` in order; every byte must be accounted for. */
function decodeTensors(list: TensorHeader[], binary: Uint8Array): WireTensors {
  const tensors: WireTensors = {};
  let at = 0;
  for (const head of list) {
    const dtype = dtypeOf(head.datatype);
    if (!dtype) throw new OipFormatError(`tensor '${head.name}' has datatype ${head.datatype.slice(0, 16)}, which cvkit does not use`);
    const dims = head.shape;
    const count = elementCount(dims);
    const size = head.parameters?.binary_data_size;
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new OipFormatError(`tensor '${head.name}' has an invalid binary_data_size`);
      if (at + size > binary.length) {
        throw new OipFormatError(`binary data is truncated: tensor '${head.name}' needs ${size} bytes at offset ${at}, ${binary.length - at} remain`);
      }
      const bytes = binary.subarray(at, at + size);
      at += size;
      if (dtype === 'bytes') {
        tensors[head.name] = { dtype, dims, data: decodeBytesElements(bytes, count) };
      } else {
        if (size !== count * ELEMENT_BYTES[dtype]) {
          throw new OipFormatError(`tensor '${head.name}' ${head.datatype} [${dims.join(',')}] needs ${count * ELEMENT_BYTES[dtype]} bytes, binary_data_size says ${size}`);
        }
        tensors[head.name] = { dtype, dims, data: typedFromBytes(dtype, bytes, count) } as Tensor;
      }
    } else if (head.data !== undefined) {
      tensors[head.name] = fromJson(head.name, dtype, dims, head.data);
    } else {
      throw new OipFormatError(`tensor '${head.name}' has neither data nor binary_data_size`);
    }
  }
  if (at !== binary.length) throw new OipFormatError(`${binary.length - at} bytes of binary data follow the last tensor: the header length or a binary_data_size is wrong`);
  return tensors;
}

// ---------------------------------------------------------------------------------------------------------------
// The client side: requests out, responses in

export interface InferRequestOptions {
  /** Binary tensor extension (inputs as bytes, outputs asked as bytes); false: JSON tensors both ways. */
  binary: boolean;
  /** Outputs to ask for; all of the model's when empty. */
  outputs?: string[];
  id?: string;
}

export function encodeInferRequest(inputs: WireTensors, { binary, outputs = [], id }: InferRequestOptions): EncodedMessage {
  const { headers: inputHeaders, chunks } = encodeTensors(Object.entries(inputs).map(([name, tensor]) => ({ name, tensor, binary })));
  const header: Record<string, unknown> = { ...(id ? { id } : {}), inputs: inputHeaders };
  if (outputs.length > 0) header.outputs = outputs.map((name) => ({ name, parameters: { binary_data: binary } }));
  // Triton's request-level switch: every output as binary, including those not listed.
  if (binary) header.parameters = { binary_data_output: true };
  return assemble(header, chunks);
}

export interface InferResponse {
  model_name?: string;
  model_version?: string;
  id?: string;
  outputs: WireTensors;
}

/** Decodes an infer response body; `headerLength` is the `Inference-Header-Content-Length` header (null: all JSON). */
export function decodeInferResponse(body: Uint8Array, headerLength: string | null | undefined): InferResponse {
  const { header, binary } = split(body, headerLength);
  const parsed = parseHeader(InferResponseHeader, header, 'inference response');
  const { model_name, model_version, id } = parsed;
  return { ...(model_name ? { model_name } : {}), ...(model_version ? { model_version } : {}), ...(id ? { id } : {}), outputs: decodeTensors(parsed.outputs, binary) };
}

// ---------------------------------------------------------------------------------------------------------------
// The server side: requests in, responses out

export interface InferRequest {
  id?: string;
  inputs: WireTensors;
  /**
   * Requested outputs and whether each is wanted as binary; empty: all outputs, in `binaryOutput` form. A positive
   * integer `classification` parameter asks for that output's top classes (Triton's classification extension).
   */
  outputs: { name: string; binary: boolean; classification?: number }[];
  /** The request-level `binary_data_output` parameter. */
  binaryOutput: boolean;
}

export function decodeInferRequest(body: Uint8Array, headerLength: string | null | undefined): InferRequest {
  const { header, binary } = split(body, headerLength);
  const parsed = parseHeader(InferRequestHeader, header, 'inference request');
  const binaryOutput = parsed.parameters?.binary_data_output === true;
  const outputs = (parsed.outputs ?? []).map((o) => {
    const flag = o.parameters?.binary_data;
    const k = o.parameters?.classification;
    if (k !== undefined && !(typeof k === 'number' && Number.isInteger(k) && k > 0)) throw new OipFormatError(`output '${o.name}': classification must be a positive integer`);
    return { name: o.name, binary: typeof flag === 'boolean' ? flag : binaryOutput, ...(k === undefined ? {} : { classification: k }) };
  });
  const names = new Set<string>();
  for (const input of parsed.inputs) {
    if (names.has(input.name)) throw new OipFormatError(`input '${input.name}' appears twice`);
    names.add(input.name);
  }
  return { ...(parsed.id ? { id: parsed.id } : {}), inputs: decodeTensors(parsed.inputs, binary), outputs, binaryOutput };
}

export interface InferResponseOptions {
  model_name: string;
  model_version?: string;
  id?: string;
  /** Whether each output goes as binary data. */
  binary: (name: string) => boolean;
}

export function encodeInferResponse(outputs: WireTensors, { model_name, model_version, id, binary }: InferResponseOptions): EncodedMessage {
  const { headers, chunks } = encodeTensors(Object.entries(outputs).map(([name, tensor]) => ({ name, tensor, binary: binary(name) })));
  return assemble({ model_name, ...(model_version ? { model_version } : {}), ...(id ? { id } : {}), outputs: headers }, chunks);
}
