// A small Echo frontend: one list item per generation, its tokens shown as they stream on
// `private-ai.{id}` (`.chunk.delivered`). `?render=naive` appends every chunk it receives, as
// many apps do; `?render=by-sequence` keeps one chunk per sequence, as DESIGN §1 recommends.
const params = new URLSearchParams(location.search);
const render = params.get('render') ?? 'naive';
const sessions = (params.get('sessions') ?? '').split(',').filter(Boolean);

const echo = new Echo.default({ ...window.ECHO_CONFIG, Pusher: window.Pusher });
const list = document.getElementById('generations');

for (const id of sessions) {
  const item = document.createElement('li');
  const text = document.createElement('p');
  text.dataset.echoscopeSession = id;
  item.append(text);
  list.append(item);

  const bySequence = new Map();
  echo.private(`ai.${id}`).listen('.chunk.delivered', (event) => {
    if (render === 'naive') {
      text.textContent += event.chunk;
    } else if (!bySequence.has(event.sequence)) {
      bySequence.set(event.sequence, event.chunk);
      text.textContent = [...bySequence.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([, chunk]) => chunk)
        .join('');
    }
    if (event.state !== 'generating') item.dataset.state = event.state;
  });
}
