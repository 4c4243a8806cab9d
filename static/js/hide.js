// R44: "Hide this page" blanks the screen at once if a pupil comes near, without leaving the
// page, so that nothing typed is lost; pressing Shift three times (GOV.UK's "Exit this page"
// shortcut) does the same from anywhere, and again brings the page back. No inline script or
// style (CSP): the page is hidden with the `hidden` attribute.
const button = document.getElementById("hide-page");
if (button) {
  // The cover stands in for the page: a main landmark with a heading only a screen reader
  // reads, and the one button that brings the page back.
  const cover = document.createElement("main");
  cover.id = "page-cover";
  cover.className = "govuk-width-container";
  cover.hidden = true;
  const heading = document.createElement("h1");
  heading.className = "govuk-visually-hidden";
  heading.textContent = "Page hidden";
  cover.append(heading);
  const show = document.createElement("button");
  show.type = "button";
  show.className = "govuk-button govuk-button--secondary ypsi-cover-button";
  show.textContent = "Show the page again";
  cover.append(show);
  document.body.append(cover);

  let hiddenElements = [];
  let focused = null;
  let title = document.title;

  const hide = () => {
    if (!cover.hidden) return;
    focused = document.activeElement;
    title = document.title;
    hiddenElements = [...document.body.children].filter(
      (el) => el !== cover && el.tagName !== "SCRIPT" && !el.hidden,
    );
    hiddenElements.forEach((el) => {
      el.hidden = true;
    });
    cover.hidden = false;
    document.title = "ypsi";
    show.focus();
  };
  const reveal = () => {
    if (cover.hidden) return;
    hiddenElements.forEach((el) => {
      el.hidden = false;
    });
    cover.hidden = true;
    document.title = title;
    (focused && document.contains(focused) ? focused : button).focus();
  };

  button.addEventListener("click", hide);
  show.addEventListener("click", reveal);

  // A Shift tap counts only when no other key was pressed with it, so capitals typed in a box
  // never hide the page; three within five seconds do.
  let taps = [];
  let lone = false;
  document.addEventListener("keydown", (event) => {
    lone = event.key === "Shift" && !event.repeat;
    if (event.key !== "Shift") taps = [];
  });
  document.addEventListener("keyup", (event) => {
    if (event.key !== "Shift" || !lone) return;
    const now = Date.now();
    taps = [...taps.filter((t) => now - t < 5000), now];
    if (taps.length >= 3) {
      taps = [];
      if (cover.hidden) hide();
      else reveal();
    }
  });
}
