/**
 * An output kind: how a model's raw outputs are laid out for one task. Each kind is one file in this folder that
 * declares its manifest fields (a zod object with a `kind` literal), the task it answers, and the output tensors it
 * reads. That declaration is what the manifest validation, `npm run models` (a user's file checked against its
 * entry) and the GPU tier's metadata check and model repository read; the task's pipeline decodes the kind.
 */
import type { z } from 'zod';
import type { Task } from '@cvkit/sdk/contract';

export type TensorDtype = 'float32' | 'int64' | 'int32' | 'uint8';

/** One output tensor a kind reads. */
export interface TensorExpectation {
  name: string;
  /** Element types accepted; the first is what a GPU server returns (uint8 outputs are dequantised first). */
  dtypes: readonly TensorDtype[];
  /** Dimensions; -1: any size. */
  shape: readonly number[];
  /** The axis whose size is the number of labels plus `offset` (YOLOX's 5 + classes), if one is. */
  classes?: { axis: number; offset: number };
}

export interface OutputKind<S extends { kind: string } = { kind: string }> {
  kind: S['kind'];
  /** The task these outputs answer. */
  task: Task;
  /** The manifest fields of this kind (a zod object whose `kind` is this kind's literal). */
  schema: z.ZodType<S>;
  /** The output tensors a model of this kind gives, from its manifest fields. */
  tensors(spec: S): TensorExpectation[];
}

/** Declares an output kind, its spec type inferred from the schema. */
export const outputKind = <S extends { kind: string }>(kind: OutputKind<S>): OutputKind<S> => kind;
