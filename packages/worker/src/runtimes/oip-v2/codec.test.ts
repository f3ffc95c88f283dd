import { describe, expect, it } from 'vitest';
import {
  OipFormatError,
  decodeBytesElements,
  decodeInferRequest,
  decodeInferResponse,
  encodeBytesElements,
  encodeInferRequest,
  encodeInferResponse,
  type WireTensor,
} from './codec';
import { concatBytes } from '../../image/bytes';

const enc = new TextEncoder();
const concat = (...parts: Uint8Array[]) => concatBytes(parts);
const le32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe('BYTES elements', () => {
  it('lays out each element as a 4-byte little-endian length and its bytes (the extension spec)', () => {
    const bytes = encodeBytesElements([enc.encode('abc'), enc.encode(''), enc.encode('de')]);
    expect(Array.from(bytes)).toEqual([3, 0, 0, 0, 97, 98, 99, 0, 0, 0, 0, 2, 0, 0, 0, 100, 101]);
    expect(decodeBytesElements(bytes, 3).map((b) => new TextDecoder().decode(b))).toEqual(['abc', '', 'de']);
  });

  it('refuses a length prefix that runs past the data, and trailing bytes', () => {
    expect(() => decodeBytesElements(new Uint8Array([9, 0, 0, 0, 97]), 1)).toThrow(/declares 9 bytes/);
    expect(() => decodeBytesElements(new Uint8Array([1, 0]), 1)).toThrow(/length prefix/);
    expect(() => decodeBytesElements(new Uint8Array([1, 0, 0, 0, 97, 98]), 1)).toThrow(/1 bytes after/);
  });
});

describe('the spec examples', () => {
  it('decodes the binary response example: output0 FP32 [3,2] as 24 binary bytes, output1 as JSON data', () => {
    // Triton's extension_binary_data example, with output1 as INT32 (cvkit carries FP32/UINT8/INT32/INT64/BYTES).
    const header = enc.encode(
      JSON.stringify({
        outputs: [
          { name: 'output0', shape: [3, 2], datatype: 'FP32', parameters: { binary_data_size: 24 } },
          { name: 'output1', shape: [2, 2], datatype: 'INT32', data: [0, 1, 2, 3] },
        ],
      }),
    );
    const body = concat(header, le32([1, 1.1, 2, 2.1, 3, 3.1]));
    const { outputs } = decodeInferResponse(body, String(header.length));
    expect(outputs.output0).toMatchObject({ dtype: 'float32', dims: [3, 2] });
    expect(Array.from(outputs.output0?.data as Float32Array)).toEqual(Array.from(new Float32Array([1, 1.1, 2, 2.1, 3, 3.1])));
    expect(outputs.output1).toEqual({ dtype: 'int32', dims: [2, 2], data: new Int32Array([0, 1, 2, 3]) });
  });

  it('encodes the binary request example layout: JSON header, then the tensors in order, sized by binary_data_size', () => {
    const input0: WireTensor = { dtype: 'int32', dims: [2, 2], data: new Int32Array([1, 2, 3, 4]) };
    const input1: WireTensor = { dtype: 'bytes', dims: [2], data: [enc.encode('abc'), enc.encode('de')] };
    const { body, headers } = encodeInferRequest({ input0, input1 }, { binary: true, outputs: ['output0'] });
    const length = Number(headers['inference-header-content-length']);
    expect(headers['content-type']).toBe('application/octet-stream');
    const header = JSON.parse(new TextDecoder().decode(body.subarray(0, length)));
    expect(header).toEqual({
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'INT32', parameters: { binary_data_size: 16 } },
        { name: 'input1', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 13 } },
      ],
      outputs: [{ name: 'output0', parameters: { binary_data: true } }],
      parameters: { binary_data_output: true },
    });
    expect(body.length).toBe(length + 16 + 13);
    expect(Array.from(body.subarray(length + 16))).toEqual([3, 0, 0, 0, 97, 98, 99, 2, 0, 0, 0, 100, 101]);
    // The reference server's side reads it back.
    const decoded = decodeInferRequest(body, String(length));
    expect(decoded.inputs.input0).toEqual(input0);
    expect((decoded.inputs.input1?.data as Uint8Array[]).map((b) => new TextDecoder().decode(b))).toEqual(['abc', 'de']);
    expect(decoded.outputs).toEqual([{ name: 'output0', binary: true }]);
  });

  it('decodes the JSON request example, nested row-major data included', () => {
    const body = enc.encode(
      JSON.stringify({
        id: '42',
        inputs: [
          { name: 'input0', shape: [2, 2], datatype: 'INT32', data: [[1, 2], [3, 4]] },
          { name: 'input1', shape: [3], datatype: 'BYTES', data: ['a', 'bc', ''] },
        ],
        outputs: [{ name: 'output0' }],
      }),
    );
    const decoded = decodeInferRequest(body, null);
    expect(decoded.id).toBe('42');
    expect(decoded.inputs.input0).toEqual({ dtype: 'int32', dims: [2, 2], data: new Int32Array([1, 2, 3, 4]) });
    expect(decoded.outputs).toEqual([{ name: 'output0', binary: false }]);
    expect(decoded.binaryOutput).toBe(false);
  });
});

describe('both modes round-trip every seam dtype', () => {
  const tensors: Record<string, WireTensor> = {
    f: { dtype: 'float32', dims: [1, 3], data: new Float32Array([0.1, -2.5, 3e-8]) },
    u: { dtype: 'uint8', dims: [3], data: new Uint8Array([0, 128, 255]) },
    i: { dtype: 'int32', dims: [2], data: new Int32Array([-7, 2 ** 31 - 1]) },
    l: { dtype: 'int64', dims: [1, 2], data: new BigInt64Array([640n, -480n]) },
  };
  for (const binary of [true, false]) {
    it(binary ? 'binary' : 'JSON', () => {
      const response = encodeInferResponse(tensors, { model_name: 'm', model_version: '1', binary: () => binary });
      expect(response.headers['content-type']).toBe(binary ? 'application/octet-stream' : 'application/json');
      const decoded = decodeInferResponse(response.body, response.headers['inference-header-content-length']);
      expect(decoded.model_name).toBe('m');
      for (const [name, t] of Object.entries(tensors)) expect(decoded.outputs[name]).toEqual(t);
    });
  }

  it('a binary output after an odd-length header comes back aligned (copied when it must be)', () => {
    const response = encodeInferResponse({ x: tensors.f as WireTensor }, { model_name: 'odd-name', binary: () => true });
    const shifted = new Uint8Array(response.body.length + 1).subarray(1);
    shifted.set(response.body);
    const decoded = decodeInferResponse(shifted, response.headers['inference-header-content-length']);
    expect(decoded.outputs.x).toEqual(tensors.f);
  });
});

describe('sizes the GPU tier sends', () => {
  for (const size of [224, 640]) {
    it(`a ${size}x${size} FP32 image tensor: binary is 4 bytes per element plus a short header`, () => {
      const data = new Float32Array(3 * size * size).map((_, i) => (i % 255) / 127.5 - 1);
      const input: WireTensor = { dtype: 'float32', dims: [1, 3, size, size], data };
      const bin = encodeInferRequest({ images: input }, { binary: true });
      expect(bin.body.length - Number(bin.headers['inference-header-content-length'])).toBe(data.byteLength);
      expect(bin.body.length).toBeLessThan(data.byteLength + 200);
      const back = decodeInferRequest(bin.body, bin.headers['inference-header-content-length']);
      expect(back.inputs.images).toEqual(input);
      // JSON numbers: several times the bytes (and seconds of work at 640x640, so only at 224).
      if (size === 224) {
        const json = encodeInferRequest({ images: input }, { binary: false });
        expect(json.body.length).toBeGreaterThan(bin.body.length * 2);
        expect(decodeInferRequest(json.body, null).inputs.images).toEqual(input);
      }
    });
  }
});

describe('malformed bodies are OipFormatError with a reason', () => {
  const ok = encodeInferResponse({ y: { dtype: 'float32', dims: [4], data: new Float32Array([1, 2, 3, 4]) } }, { model_name: 'm', binary: () => true });
  const length = ok.headers['inference-header-content-length'] as string;
  const wrongSize = enc.encode('{"outputs":[{"name":"y","shape":[4],"datatype":"FP32","parameters":{"binary_data_size":8}}]}');

  const cases: [string, Uint8Array, string | null, RegExp][] = [
    ['truncated binary', ok.body.subarray(0, ok.body.length - 3), length, /truncated/],
    ['header length too short', ok.body, String(Number(length) - 5), /not JSON/],
    ['header length too long', ok.body, String(Number(length) + 5), /not JSON/],
    ['header length past the body', ok.body, String(ok.body.length + 10), /body has/],
    ['header length not a number', ok.body, 'abc', /not a byte count/],
    ['trailing bytes', concat(ok.body, new Uint8Array(4)), length, /follow the last tensor/],
    ['not JSON at all', enc.encode('<html>'), null, /not JSON/],
    ['no outputs field', enc.encode('{"model_name":"m"}'), null, /outputs/],
    ['wrong binary size', concat(wrongSize, new Uint8Array(8)), String(wrongSize.length), /needs 16 bytes/],
    ['JSON data count', enc.encode('{"outputs":[{"name":"y","shape":[4],"datatype":"FP32","data":[1,2]}]}'), null, /needs 4 values/],
    ['unsupported datatype', enc.encode('{"outputs":[{"name":"y","shape":[1],"datatype":"FP16","data":[1]}]}'), null, /FP16/],
    ['no data', enc.encode('{"outputs":[{"name":"y","shape":[1],"datatype":"FP32"}]}'), null, /neither data/],
    ['negative dim', enc.encode('{"outputs":[{"name":"y","shape":[-1],"datatype":"FP32","data":[]}]}'), null, /shape/],
  ];
  for (const [name, body, header, message] of cases) {
    it(name, () => {
      let error: unknown;
      try {
        decodeInferResponse(body, header);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OipFormatError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
