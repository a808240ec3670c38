// A page restored from the back/forward cache would show what it showed before logout: load it anew.
window.addEventListener('pageshow', (e) => { if (e.persisted) window.location.reload(); });
