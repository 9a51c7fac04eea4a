// The administration's widgets, made readable by assistive technologies.
//
// Django's two-list selector (SelectFilter2, "filter_horizontal") names each of its search
// boxes by an icon: a <span aria-label="..."> inside the box's <label>. A span has no role,
// so ARIA lets tools ignore that name and the box is left unnamed. As an image, the icon's
// text is the label's. The selectors are built on the window's load event: this script is
// loaded after Django's, so this runs after them.
window.addEventListener("load", () => {
  for (const icon of document.querySelectorAll(".selector .search-label-icon[aria-label]")) {
    icon.setAttribute("role", "img");
  }
});
