"""Uploading a chosen file to the private upload route (not Reflex's public upload folder)."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx


def file_input(input_id: str, accept: str, testid: str) -> rx.Component:
    return rx.el.input(type="file", id=input_id, accept=accept, data_testid=testid)


def upload_script(input_id: str, purpose: str) -> str:
    """JavaScript posting the file of ``input_id`` to ``/files/upload/<purpose>``; resolves to the route's
    JSON answer ({ok, upload_id, …} or {ok: false, error}), which ``rx.call_script`` hands to its callback."""
    return f"""(async () => {{
  const input = document.getElementById({json.dumps(input_id)});
  if (!input || !input.files.length) return {{ok: false, error: 'files.none'}};
  const body = new FormData();
  body.append('file', input.files[0]);
  try {{
    const response = await fetch('/files/upload/{purpose}', {{method: 'POST', body, credentials: 'same-origin'}});
    return await response.json();
  }} catch (e) {{ return {{ok: false, error: 'files.upload_failed'}}; }}
}})()"""


def upload_refusal(answer: Any) -> tuple[str, dict[str, Any]] | None:
    """What the upload route (or the script) refused, as a catalog key and its parameters (``max_mb`` …),
    or None when the file was stored. Translate both: the key alone shows "{max_mb}" to the user."""
    if isinstance(answer, dict) and answer.get("ok"):
        return None
    if not isinstance(answer, dict):
        return "files.upload_failed", {}
    params = {k: v for k, v in answer.items() if k not in ("ok", "error", "upload_id", "filename", "size")}
    return str(answer.get("error") or "files.upload_failed"), params


def photos_script(input_id: str, url: str, limit: int) -> str:
    """JavaScript posting each chosen file of ``input_id`` (at most ``limit``) to ``url`` one by one; resolves to
    {ok: true, upload_ids: [...]} or the first refusal ({ok: false, error, …})."""
    return f"""(async () => {{
  const input = document.getElementById({json.dumps(input_id)});
  const ids = [];
  for (const file of Array.from(input ? input.files : []).slice(0, {int(limit)})) {{
    const body = new FormData();
    body.append('file', file);
    try {{
      const response = await fetch({json.dumps(url)}, {{method: 'POST', body, credentials: 'same-origin'}});
      const answer = await response.json();
      if (!answer.ok) return answer;
      ids.push(answer.upload_id);
    }} catch (e) {{ return {{ok: false, error: 'files.upload_failed'}}; }}
  }}
  return {{ok: true, upload_ids: ids}};
}})()"""
