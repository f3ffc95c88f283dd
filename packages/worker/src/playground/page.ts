/**
 * The playground page served at `GET /`: one self-contained HTML document (its CSS and script inlined, no CDN, no
 * web font), so it works offline, in tests, and wherever the worker runs.
 */
import { script } from './script';
import { style } from './style';

export function playgroundPage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cvkit playground</title>
<style>${style}</style>
</head>
<body>
<header>
  <h1>cvkit</h1><span>classify · detect · segment · pose · similar, at the edge</span>
  <nav><a href="/v1/models">/v1/models</a><a href="/health">v${version}</a></nav>
</header>
<main>
  <form id="form" class="panel" autocomplete="off">
    <div class="tasks" role="radiogroup" aria-label="Task">
      <label><input type="radio" name="task" value="classify" data-testid="task-classify">classify</label>
      <label><input type="radio" name="task" value="detect" data-testid="task-detect" checked>detect</label>
      <label><input type="radio" name="task" value="segment" data-testid="task-segment">segment</label>
      <label><input type="radio" name="task" value="pose" data-testid="task-pose">pose</label>
      <label><input type="radio" name="task" value="similar" data-testid="task-similar">similar</label>
    </div>
    <div id="drop" class="drop" tabindex="0" role="button" aria-label="Choose a photo" data-testid="drop">
      <strong id="drop-name">Drop a photo here, paste one, or click to pick</strong>
      JPEG, PNG, WebP, GIF or BMP
      <input id="file" type="file" accept="image/*" data-testid="file">
    </div>
    <div class="or">or</div>
    <label>Image URL <input id="url" type="url" placeholder="https://…/photo.jpg" data-testid="url"></label>
    <label>Model <select id="model" data-testid="model"></select></label>
    <label id="threshold-row">
      <span class="row">Threshold <span id="threshold-value">0.50</span></span>
      <input id="threshold" type="range" min="0.05" max="0.95" step="0.05" value="0.5" data-testid="threshold">
    </label>
    <label id="keypoint-row" class="hidden">
      <span class="row">Min keypoint score <span id="keypoint-value">0.30</span></span>
      <input id="keypoint" type="range" min="0.05" max="0.95" step="0.05" value="0.3" data-testid="keypoint">
    </label>
    <label id="people-row" class="hidden">Max people <input id="people" type="number" min="1" max="20" value="6" data-testid="people"></label>
    <div id="second-row" class="hidden">
      <div id="drop2" class="drop" tabindex="0" role="button" aria-label="Choose the photo to compare with" data-testid="drop2">
        <strong id="drop2-name">Drop the photo to compare with, or click to pick</strong>
        the second photo, compared with the first
        <input id="file2" type="file" accept="image/*" data-testid="file2">
      </div>
    </div>
    <label id="topk-row" class="hidden">Top k <input id="topk" type="number" min="1" max="100" value="5" data-testid="topk"></label>
    <details>
      <summary>API key</summary>
      <label><span class="hint">Only needed when the worker has API_KEYS; sent as a bearer token, kept in this tab only.</span>
        <input id="key" type="password" placeholder="none" data-testid="key">
      </label>
    </details>
    <button id="run" class="run" type="submit" data-testid="run" disabled>Run</button>
  </form>
  <section id="results" class="results" data-testid="results" aria-live="polite">
    <div id="empty" class="panel empty">Pick a photo to see what cvkit finds in it.</div>
    <div id="error" class="panel error hidden" role="alert" data-testid="error"></div>
    <div id="view" class="hidden">
      <div class="panel view">
        <div class="frame">
          <div id="stage" class="stage">
            <img id="photo" alt="the photo" data-testid="photo">
            <canvas id="overlay" data-testid="overlay" style="position:absolute;inset:0;width:100%;height:100%"></canvas>
          </div>
        </div>
        <div class="side">
          <div id="side"></div>
          <label id="overlay-toggle" class="inline" style="margin-top:12px"><input id="show-overlay" type="checkbox" checked> show the overlay</label>
        </div>
      </div>
      <div class="panel" style="margin-top:16px"><div id="timings" class="timings" data-testid="timings"></div></div>
      <div id="code" class="panel code hidden" style="margin-top:16px">
        <div><h3>curl <button type="button" data-copy="curl">Copy</button></h3><pre id="curl" data-testid="curl"></pre></div>
        <div><h3>SDK (Node) <button type="button" data-copy="sdk">Copy</button></h3><pre id="sdk" data-testid="sdk"></pre></div>
        <div><h3>CLI <button type="button" data-copy="cli">Copy</button></h3><pre id="cli" data-testid="cli"></pre></div>
      </div>
    </div>
  </section>
</main>
<script>${script}</script>
</body>
</html>`;
}
