// Keyboard shortcuts of the staff pages. Ctrl+K (⌘K) opens the global search from anywhere; in its palette ↓/↑ move
// through the results and Enter opens the one in focus (or the first one from the search box).
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
    const opener = document.querySelector('[data-testid="global-search-open"]');
    if (opener) {
      event.preventDefault();
      if (!document.querySelector('[data-testid="global-search"]')) opener.click();
    }
    return;
  }
  const palette = document.querySelector('[data-testid="global-search"]');
  if (!palette || !palette.contains(document.activeElement) || event.isComposing) return;
  const hits = Array.from(palette.querySelectorAll("[data-search-hit]"));
  const at = hits.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && hits.length) {
    event.preventDefault();
    hits[Math.min(at + 1, hits.length - 1)].focus();
  } else if (event.key === "ArrowUp" && at >= 0) {
    event.preventDefault();
    if (at === 0) palette.querySelector("input")?.focus();
    else hits[at - 1].focus();
  } else if (event.key === "Enter" && at < 0 && hits.length) {
    event.preventDefault();
    hits[0].click();
  }
});
