// The rating page without this script is a plain form; with it, the one-time code is read
// from the URL fragment (#c=…, which the browser never sends to the server) into the form,
// the code box is folded away, and the fragment is wiped from the address bar.
(() => {
  const form = document.querySelector("[data-rate-form]");
  if (!form) return;
  const match = /(?:^#|&)c=([0-9A-Za-z-]+)/.exec(window.location.hash);
  const field = form.querySelector("[data-code-field]");
  if (match && field && !field.value) {
    const code = match[1].replace(/-/g, "").toUpperCase();
    field.value = code.length === 13 ? `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}` : code;
    const box = form.querySelector("[data-code-box]");
    const read = form.querySelector("[data-code-read]");
    if (box && read) {
      box.hidden = true;
      read.hidden = false;
    }
  }
  if (window.location.hash) history.replaceState(null, "", window.location.pathname);
})();
