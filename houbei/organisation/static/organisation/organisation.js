// The mentor picker: live filtering of the checkbox list. Without this script the list
// is filtered by the server through the "查找" button, so the form works either way.
document.querySelectorAll("[data-picker]").forEach((picker) => {
  const input = picker.querySelector("[data-picker-input]");
  const count = picker.querySelector("[data-picker-count]");
  const items = Array.from(picker.querySelectorAll("li[data-search]"));
  const button = picker.querySelector(".picker-filter");
  // Live filtering replaces the server search; removing the button also keeps Enter in
  // other fields saving the form instead of searching.
  if (button) button.remove();

  const refresh = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let chosen = 0;
    items.forEach((li) => {
      const box = li.querySelector("input[type=checkbox]");
      if (box.checked) chosen += 1;
      const text = li.dataset.search.toLowerCase();
      li.hidden = !(box.checked || words.every((w) => text.includes(w)));
    });
    if (count) count.textContent = `已选 ${chosen} 人`;
  };

  input.addEventListener("input", refresh);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  picker.addEventListener("change", refresh);
  refresh();
});
