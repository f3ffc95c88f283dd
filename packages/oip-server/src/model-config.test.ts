import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfig, type ModelConfig, parseConfig, parseTextFormat } from './model-config';

describe('config.pbtxt', () => {
  const config: ModelConfig = {
    name: 'deimv2',
    platform: 'onnxruntime_onnx',
    max_batch_size: 0,
    input: [
      { name: 'images', data_type: 'TYPE_FP32', dims: [-1, 3, 416, 416] },
      { name: 'orig_target_sizes', data_type: 'TYPE_INT64', dims: [-1, 2] },
    ],
    output: [{ name: 'boxes', data_type: 'TYPE_FP32', dims: [-1, -1, 4] }],
    instance_kind: 'KIND_GPU',
  };

  it('reads back what it writes', () => {
    expect(parseConfig(formatConfig(config, 'a comment\nover two lines'))).toEqual(config);
  });

  it("reads Triton's own style: comments, repeated fields, angle brackets, single quotes, trailing commas", () => {
    const text = `
      # Triton docs style
      name: 'densenet_onnx'
      platform: "onnxruntime_onnx"
      max_batch_size : 8
      input { name: "data_0" data_type: TYPE_FP32 dims: 3 dims: 224 dims: 224 }
      output [ < name: "fc6_1", data_type: TYPE_FP32, dims: [ 1000 ] > ]
      instance_group [ { count: 2 kind: KIND_CPU } ]
      dynamic_batching { max_queue_delay_microseconds: 100 }
    `;
    expect(parseConfig(text)).toEqual({
      name: 'densenet_onnx',
      platform: 'onnxruntime_onnx',
      max_batch_size: 8,
      input: [{ name: 'data_0', data_type: 'TYPE_FP32', dims: [3, 224, 224] }],
      output: [{ name: 'fc6_1', data_type: 'TYPE_FP32', dims: [1000] }],
      instance_kind: 'KIND_CPU',
    });
    expect(parseTextFormat(text).dynamic_batching).toEqual([{ max_queue_delay_microseconds: [100] }]);
  });

  it('refuses what it cannot serve, saying why', () => {
    expect(() => parseConfig('name: "m" platform: "tensorrt_plan"')).toThrow(/tensorrt_plan/);
    expect(() => parseConfig('name: "m" platform: "onnxruntime_onnx" input [ { name: "x" data_type: TYPE_FP16 dims: [1] } ]')).toThrow(/TYPE_FP16/);
    expect(() => parseConfig('name: "m" platform: "onnxruntime_onnx" input [ { name: "x"')).toThrow(ConfigError);
    expect(() => parseConfig('platform: "onnxruntime_onnx"')).toThrow(/'name'/);
  });
});
