// The 意向表: marks the rows given a 志愿顺序, lists them in order above the form so a phone
// user sees their choices without scrolling back, and on a phone folds the rows left
// untouched down to their 志愿顺序. Nothing typed is ever cleared; the form works without it.
(() => {
  const form = document.querySelector("[data-mine-intention]");
  const box = document.querySelector("[data-mine-summary]");
  if (!form || !box) return;
  const list = box.querySelector("[data-mine-list]");
  const rows = Array.from(form.querySelectorAll("[data-mine-row]"));
  const rankOf = (row) => row.querySelector("select[name^='rank_']");
  const untouched = (row) => {
    const mentor = row.querySelector("select[name^='mentor_']");
    const remarks = row.querySelector("input[name^='remarks_']");
    return (!mentor || mentor.value === "") && (!remarks || remarks.value.trim() === "");
  };
  const update = () => {
    const chosen = [];
    for (const row of rows) {
      const rank = rankOf(row);
      const value = rank && !rank.disabled ? rank.value : "";
      row.classList.toggle("is-chosen", value !== "");
      row.classList.toggle("is-folded", value === "" && untouched(row) && !row.classList.contains("has-error"));
      if (value !== "") chosen.push([Number(value), row.dataset.post, rank.options[rank.selectedIndex].text]);
    }
    chosen.sort((a, b) => a[0] - b[0]);
    list.textContent = chosen.length ? chosen.map((c) => `${c[2]} ${c[1]}`).join("；") : box.dataset.none || "—";
    box.hidden = false;
  };
  form.addEventListener("change", update);
  update();
})();
