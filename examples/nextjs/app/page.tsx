'use client';
/**
 * Pick an image, choose classify, detect or segment, and see the answer drawn over the photo: labels, boxes,
 * or the segmentation overlay (the class-index PNG mask coloured with the VOC palette in a canvas).
 */
import { useEffect, useRef, useState } from 'react';
import type { ClassifyResponse, DetectResponse, SegmentResponse } from '@cvkit/sdk';

type Task = 'classify' | 'detect' | 'segment';
type Result =
  | { task: 'classify'; body: ClassifyResponse }
  | { task: 'detect'; body: DetectResponse }
  | { task: 'segment'; body: SegmentResponse };

const colour = (i: number) => `hsl(${(i * 47) % 360} 85% 45%)`;

/** The standard PASCAL VOC palette: class bits spread over the high bits of R, G and B. */
function vocColour(index: number): [number, number, number] {
  const c = [0, 0, 0];
  for (let shift = 7, i = index; i > 0; shift--, i >>= 3) {
    for (let ch = 0; ch < 3; ch++) c[ch]! |= ((i >> ch) & 1) << shift;
  }
  return c as [number, number, number];
}

function SegmentOverlay({ mask, width, height }: { mask: string; width: number; height: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const img = new Image();
    img.onload = () => {
      const ctx = canvas.current?.getContext('2d');
      if (!ctx) return;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, width, height);
      for (let p = 0; p < data.data.length; p += 4) {
        const cls = data.data[p]!;
        const [r, g, b] = vocColour(cls);
        data.data.set([r, g, b, cls === 0 ? 0 : 150], p);
      }
      ctx.putImageData(data, 0, 0);
    };
    img.src = mask;
  }, [mask, width, height]);
  return <canvas ref={canvas} width={width} height={height} data-testid="segment-overlay" style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }} />;
}

export default function Page() {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [task, setTask] = useState<Task>('detect');
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The browser could not show the chosen file as a picture: no broken-image icon, a sentence instead.
  const [unviewable, setUnviewable] = useState(false);

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    setUnviewable(false);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  async function analyze() {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const form = new FormData();
    form.set('image', file);
    form.set('task', task);
    try {
      const res = await fetch('/api/analyze', { method: 'POST', body: form });
      const body = await res.json().catch(() => undefined);
      if (!res.ok || body === undefined) setError(body?.error ?? `The server could not answer (HTTP ${res.status}). Please try again.`);
      else setResult({ task, body } as Result);
    } catch {
      setError('The server could not be reached. Check your connection and try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>cvkit</h1>
      <p>What is this? What is where? What is every pixel?</p>
      <div style={{ display: 'flex', gap: '1rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <input type="file" accept="image/*" data-testid="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <select value={task} data-testid="task" onChange={(e) => setTask(e.target.value as Task)}>
          <option value="classify">classify</option>
          <option value="detect">detect</option>
          <option value="segment">segment</option>
        </select>
        <button type="button" data-testid="analyze" disabled={!file || busy} onClick={analyze}>
          {busy ? 'Analyzing…' : 'Analyze'}
        </button>
      </div>
      {error && <p role="alert" data-testid="error" style={{ color: '#b00020' }}>{error}</p>}
      {preview && unviewable && (
        <p data-testid="unviewable" style={{ color: '#555' }}>This file cannot be shown as a picture.</p>
      )}
      {preview && !unviewable && (
        <div style={{ position: 'relative', display: 'inline-block', marginTop: '1rem', lineHeight: 0 }}>
          {/* biome-ignore lint/a11y/useAltText: the user's own upload */}
          <img src={preview} alt="your image" onError={() => setUnviewable(true)} style={{ maxWidth: '100%', display: 'block' }} />
          {result?.task === 'detect' &&
            result.body.detections.map((d, i) => (
              <div
                key={i}
                data-testid="box"
                style={{
                  position: 'absolute',
                  left: `${d.box_normalized.x1 * 100}%`,
                  top: `${d.box_normalized.y1 * 100}%`,
                  width: `${(d.box_normalized.x2 - d.box_normalized.x1) * 100}%`,
                  height: `${(d.box_normalized.y2 - d.box_normalized.y1) * 100}%`,
                  border: `3px solid ${colour(d.index)}`,
                  boxSizing: 'border-box',
                }}
              >
                <span style={{ background: colour(d.index), color: 'white', font: '12px/1.4 system-ui', padding: '0 4px', position: 'absolute', top: 0, left: 0, whiteSpace: 'nowrap' }}>
                  {d.label} {d.score.toFixed(2)}
                </span>
              </div>
            ))}
          {result?.task === 'segment' && result.body.mask.encoding === 'png' && (
            <SegmentOverlay mask={result.body.mask.data_url} width={result.body.image.width} height={result.body.image.height} />
          )}
        </div>
      )}
      {result && (
        <section data-testid="result">
          <h2>{result.task} · {result.body.model.id} · {result.body.timings.total_ms.toFixed(0)} ms</h2>
          <ul>
            {result.task === 'classify' && result.body.predictions.map((p) => <li key={p.index}>{p.label} — {(p.score * 100).toFixed(1)}%</li>)}
            {result.task === 'detect' && result.body.detections.map((d, i) => <li key={i}>{d.label} — {(d.score * 100).toFixed(1)}%</li>)}
            {result.task === 'segment' && result.body.segments.map((s) => <li key={s.index}>{s.label} — {(s.fraction * 100).toFixed(1)}% of the image</li>)}
          </ul>
        </section>
      )}
    </main>
  );
}
