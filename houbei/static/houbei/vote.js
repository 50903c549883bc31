// The voting page without this script is a plain form; with it, the slip's code is read
// from the URL fragment (#c=…, which the browser never sends to the server) into the form
// and wiped from the address bar, and each list counts its marks as the voter ticks.
(() => {
  const form = document.querySelector("[data-vote-form]");
  if (!form) return;
  const match = /(?:^#|&)c=([0-9A-Za-z-]+)/.exec(window.location.hash);
  const field = form.querySelector("[data-code-field]");
  if (match && field && !field.value) {
    const code = match[1].replace(/-/g, "").toUpperCase();
    field.value = code.length === 13 ? `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}` : code;
  }
  if (window.location.hash) history.replaceState(null, "", window.location.pathname);
  for (const list of form.querySelectorAll("fieldset[data-quota]")) {
    const quota = Number(list.dataset.quota);
    const counter = list.querySelector("[data-count]");
    const shown = counter.querySelector("[data-n]");
    const update = () => {
      const n = list.querySelectorAll("input[type=checkbox]:checked").length;
      shown.textContent = n;
      counter.classList.toggle("over", n > quota);
    };
    counter.hidden = false;
    list.addEventListener("change", update);
    update();
  }
})();
