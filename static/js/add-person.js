// Issue 21 item 4: "Add another person" without sending the report, where JavaScript runs. A
// blank person is copied from the page's <template> (the formset's empty form, its fields
// numbered __prefix__), the formset's count goes up by one, the focus goes to the new person's
// first box and a polite status says so. Without JavaScript, or at the most people a report
// takes, the button sends the form and the page comes back with one more person, as before
// (incidents/views/intake.py).
import { initAll } from "../govuk/govuk-frontend.min.js";
import { enhancePickers } from "./pupil-picker.js";

const button = document.getElementById("add-person");
const template = button && document.getElementById(button.dataset.template);
const prefix = button && button.dataset.prefix;
const total = prefix && document.getElementById(`id_${prefix}-TOTAL_FORMS`);
const most = prefix && document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);

if (template && total && most) {
  const status = document.createElement("div");
  status.id = "add-person-status";
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  button.after(status);

  button.addEventListener("click", (event) => {
    const count = Number(total.value);
    if (!(count < Number(most.value))) return; // the server answers for the last one
    event.preventDefault();
    const copy = document.createElement("template");
    copy.innerHTML = template.innerHTML
      .replaceAll("__prefix__", String(count))
      .replaceAll("__number__", String(count + 1));
    const person = copy.content.firstElementChild;
    button.before(person);
    total.value = String(count + 1);
    // Were the form sent now, the page would come back at the next new person's box.
    button.formAction = button.formAction.replace(/#.*$/, `#id_${prefix}-${count + 1}-pupil_query`);
    initAll({ scope: person });
    enhancePickers(person);
    const first = person.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    status.textContent = "";
    setTimeout(() => {
      status.textContent = `Person ${count + 1} added.`;
    }, 100);
  });
}
