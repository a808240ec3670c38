"""The checklist form's draft, kept in the browser so that nothing typed is lost when the connection drops (a lift
machine room, a basement pump room): every answer, note and photo is written to ``localStorage`` under the task as it
is entered, put back when the page opens again, and sent from there when the form is submitted — by then the
connection is back, since the submit event itself waits in the browser's queue until it is.

Photos are shrunk in the browser (at most 1600 px a side, JPEG) so that a few fit in the storage and go up quickly
over a phone's connection; one that does not fit stays in the page. Uploads are retried until the network answers.
The script is sent by the page's load (the app's scripts run under its Content-Security-Policy, which lets the
server's scripts be evaluated and nothing inline)."""

from __future__ import annotations

DRAFT_SCRIPT = r"""(() => {
  if (window.pmInspectionDraft) return;
  const PREFIX = 'pm_inspection_draft:';
  const MAX_SIDE = 1600;
  const memory = {};  // photos that did not fit into the storage, per task
  const key = (task) => PREFIX + task;
  const empty = () => ({values: {}, photos: {}});
  const read = (task) => {
    try { return Object.assign(empty(), JSON.parse(localStorage.getItem(key(task)) || '{}')); }
    catch (e) { return empty(); }
  };
  const write = (task, draft) => {
    draft.saved_at = Date.now();
    try { localStorage.setItem(key(task), JSON.stringify(draft)); return; } catch (e) { /* full: below */ }
    memory[task] = Object.assign(memory[task] || {}, draft.photos);
    try { localStorage.setItem(key(task), JSON.stringify(Object.assign({}, draft, {photos: {}}))); } catch (e) { /* the page keeps it */ }
  };
  const formOf = (el) => (el && el.closest) ? el.closest('[data-inspection-form]') : null;
  const clock = (at) => new Date(at).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
  const say = (form, text) => {
    const el = form.querySelector('[data-draft-status]');
    if (el) el.textContent = text;
  };
  const preview = (form, n, url) => {
    const img = form.querySelector('[data-photo-preview="' + n + '"]');
    if (!img) return;
    if (url) { img.src = url; img.style.display = 'block'; } else { img.removeAttribute('src'); img.style.display = 'none'; }
  };
  const shrink = (file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = reject;
    reader.onload = () => {
      const img = new Image();
      img.onerror = reject;
      img.onload = () => {
        const scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height, 1));
        const canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL('image/jpeg', 0.85));
      };
      img.src = reader.result;
    };
    reader.readAsDataURL(file);
  });
  const blobOf = (url) => {
    const [head, body] = url.split(',');
    const bytes = atob(body);
    const array = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new Blob([array], {type: head.slice(5, head.indexOf(';'))});
  };
  const online = () => new Promise((resolve) => {
    const done = () => { window.removeEventListener('online', done); clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 3000);
    window.addEventListener('online', done);
  });

  const remember = async (event) => {
    const input = event.target;
    const form = formOf(input);
    if (!form || !input.name) return;
    const task = form.dataset.inspectionForm;
    if (input.type === 'file') {
      if (event.type !== 'change') return;
      const n = input.dataset.item;
      const file = input.files && input.files[0];
      let url = '';
      if (file) { try { url = await shrink(file); } catch (e) { return; } }
      const draft = read(task);  // read after the wait: text typed meanwhile stays
      if (url) draft.photos[n] = url; else delete draft.photos[n];
      if (!url && memory[task]) delete memory[task][n];
      preview(form, n, url);
      write(task, draft);
    } else {
      const draft = read(task);
      if (input.type === 'radio') { if (!input.checked) return; }
      draft.values[input.name] = input.value;
      write(task, draft);
    }
    say(form, (form.dataset.textSaved || '') + ' ' + clock(Date.now()));
  };
  document.addEventListener('input', remember, true);
  document.addEventListener('change', remember, true);
  document.addEventListener('click', (event) => {
    const button = event.target && event.target.closest ? event.target.closest('[data-inspection-submit]') : null;
    const form = formOf(button);
    if (form) say(form, form.dataset.textSending || '');
  }, true);

  const fill = (form, task) => {
    const draft = read(task);
    for (const [name, value] of Object.entries(draft.values)) {
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach((el) => {
        if (el.type === 'radio') el.checked = el.value === value;
        else if (el.type !== 'file') el.value = value;
      });
    }
    const photos = Object.assign({}, draft.photos, memory[task] || {});
    for (const [n, url] of Object.entries(photos)) preview(form, n, url);
    if (draft.saved_at) say(form, (form.dataset.textRestored || '') + ' ' + clock(draft.saved_at));
  };

  window.pmInspectionDraft = {
    restore(task) {
      const started = Date.now();
      const look = () => {
        const form = document.querySelector('[data-inspection-form="' + task + '"]');
        if (form) fill(form, String(task));
        else if (Date.now() - started < 10000) setTimeout(look, 100);
      };
      look();
    },
    async collect(task) {
      const draft = read(String(task));
      const photos = Object.assign({}, draft.photos, memory[String(task)] || {});
      const uploaded = {};
      for (const [n, url] of Object.entries(photos)) {
        const body = new FormData();
        body.append('file', blobOf(url), 'photo-' + n + '.jpg');
        let answer = null;
        for (let attempt = 0; answer === null; attempt++) {
          try {
            const response = await fetch('/files/upload/inspection_photo', {method: 'POST', body, credentials: 'same-origin'});
            answer = await response.json();
          } catch (e) {
            if (attempt >= 200) return {ok: false, error: 'files.upload_failed', item: n};
            await online();
          }
        }
        if (!answer.ok) return Object.assign({}, answer, {item: n});
        uploaded[n] = answer.upload_id;
      }
      return {ok: true, values: draft.values, photos: uploaded};
    },
    clear(task) {
      localStorage.removeItem(key(task));
      delete memory[String(task)];
    },
  };
})();
"""


def restore_call(task_id: int) -> str:
    return f"{DRAFT_SCRIPT}\nwindow.pmInspectionDraft.restore({int(task_id)});"


def collect_call(task_id: int) -> str:
    return f"window.pmInspectionDraft.collect({int(task_id)})"


def clear_call(task_id: int) -> str:
    return f"window.pmInspectionDraft && window.pmInspectionDraft.clear({int(task_id)});"
