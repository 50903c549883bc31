// Shows how far a long upload or import has got while its request is still running:
// with the immediate task backend the server answers only when the work is done, so the
// page polls the upload's progress fragment meanwhile. Without JavaScript the form
// simply waits for the answer.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-progress-url]");
  if (!form || event.defaultPrevented) return;
  const submitter = event.submitter;
  if (submitter && submitter.hasAttribute("formaction")) return; // 撤销: no progress to show
  const box = document.getElementById(form.dataset.progressTarget);
  if (!box) return;
  box.hidden = false;
  // Disable after the browser has collected the form data, or the button's value is lost.
  window.setTimeout(() => form.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
  const poll = () => {
    fetch(form.dataset.progressUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => { if (html) box.innerHTML = html; })
      .catch(() => {});
  };
  window.setInterval(poll, 700);
});
