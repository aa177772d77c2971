// Every figure in a chapter's output becomes a link to its own image file, so that a phone
// reader, who sees a multi-panel figure shrunk to the width of the screen, can tap it and
// zoom into the figure at its full resolution.  (Jupyter Book adds every JS file of the
// book's _static/ folder to every page.)
document.addEventListener("DOMContentLoaded", () => {
  for (const image of document.querySelectorAll("div.cell_output img")) {
    if (image.closest("a")) continue;
    const link = document.createElement("a");
    link.href = image.src;
    link.className = "dt-figure-link";
    link.title = "Open the figure at full size";
    image.replaceWith(link);
    link.appendChild(image);
  }
});
