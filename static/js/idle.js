// Issue 11: a session ends after a while without a request. On a page with a form, say so two
// minutes before, so that what is being typed can be saved in time. No inline script (CSP).
const meta = document.querySelector('meta[name="ypsi-idle-seconds"]');
const form = document.querySelector("main form[method='post']");
if (meta && form) {
  const idle = Number(meta.content);
  const warnAt = Math.max(idle - 120, 0) * 1000;
  setTimeout(() => {
    const banner = document.createElement("div");
    banner.className = "govuk-warning-text ypsi-idle-warning";
    banner.setAttribute("role", "alert");
    banner.innerHTML =
      '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>' +
      '<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>' +
      "You will be signed out in 2 minutes, because nothing has been sent for a while. " +
      "Save what you have typed now.</strong>";
    document.querySelector("main").prepend(banner);
  }, warnAt);
}
