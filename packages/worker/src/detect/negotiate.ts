/**
 * What a detect request wants back: JSON, or the annotated image itself (`format=image`, or an Accept header
 * that prefers image/png or image/jpeg over application/json). `format` wins over Accept.
 */
/** The annotated image's encoding; `same-as-input`: JPEG for a JPEG photo, PNG for anything else. */
export type AnnotateAs = 'image/png' | 'image/jpeg' | 'same-as-input';

type Answer = 'application/json' | 'image/png' | 'image/jpeg';

const KNOWN: Record<string, Answer> = {
  'application/json': 'application/json',
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
};

/** The Accept header's preferred answer among JSON, PNG and JPEG: highest q, ties to the earlier entry. */
export function preferredAnswer(accept: string | undefined): Answer | undefined {
  let best: Answer | undefined;
  let bestQ = 0;
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const known = KNOWN[type];
    if (!known) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (Number.isFinite(q) && q > bestQ) {
      best = known;
      bestQ = q;
    }
  }
  return best;
}

/** Undefined: answer JSON. Otherwise the annotated image's type. */
export function imageAnswer(format: 'json' | 'image' | undefined, accept: string | undefined): AnnotateAs | undefined {
  if (format === 'json') return undefined;
  const preferred = preferredAnswer(accept);
  if (format === 'image') return preferred === 'image/png' || preferred === 'image/jpeg' ? preferred : 'same-as-input';
  return preferred === 'image/png' || preferred === 'image/jpeg' ? preferred : undefined;
}
