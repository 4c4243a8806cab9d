// Issue 21 item 4: the pupil picker's search box (templates/incidents/_pupil_picker.html) as an
// autocomplete, on top of the search that works without JavaScript. It follows GOV.UK's
// accessible-autocomplete (the ARIA 1.2 combobox): the focus stays in the box, the matches are a
// listbox it controls, the one highlighted is its aria-activedescendant, and a polite status
// says how many were found. That library is not used itself: it replaces the box with its own,
// which loses the box's hint and error message (aria-describedby) and GOV.UK's error style.
//
// Choosing a pupil writes the same hidden id and "Pupil chosen" line as the page does after a
// search without JavaScript, so the form sent is the one that path sends. No inline script or
// style (CSP): the list is shown and hidden with the `hidden` attribute.

const MIN_LENGTH = 2; // letters typed before the roster is asked
const TYPING_PAUSE_MS = 250; // asked once typing pauses, not at every key
const STATUS_PAUSE_MS = 500; // the count is announced once the list has settled
const HINT =
  "When pupils are found, use the up and down arrows to review them and Enter to choose one.";

export function enhancePickers(root = document) {
  root.querySelectorAll("[data-pupil-picker]").forEach(enhance);
}

function enhance(picker) {
  if (picker.dataset.enhanced) return;
  const input = document.getElementById(picker.dataset.queryId);
  const choice = picker.querySelector("[data-pupil-choice]");
  if (!input || !choice) return;
  picker.dataset.enhanced = "true";

  const list = document.createElement("ul");
  list.id = `${input.id}-listbox`;
  list.className = "ypsi-picker__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Pupils found");
  list.hidden = true;
  const hint = document.createElement("span");
  hint.id = `${input.id}-assistive-hint`;
  hint.className = "govuk-visually-hidden";
  hint.textContent = HINT;
  const status = document.createElement("div");
  status.id = `${input.id}-status`;
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");
  input.after(list, hint, status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  input.setAttribute("spellcheck", "false");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  input.setAttribute("aria-describedby", [...described, hint.id].join(" "));

  let found = []; // the pupils in the list: {id, name, year_group}
  let active = -1; // the one highlighted, or -1 for none
  let typing = null;
  let announcing = null;
  let asking = null; // the request in flight, stopped when a newer one starts
  let asked = 0;

  const announce = (text) => {
    clearTimeout(announcing);
    status.textContent = "";
    announcing = setTimeout(() => {
      status.textContent = text;
    }, STATUS_PAUSE_MS);
  };

  const open = () => {
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    highlight(-1);
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((option, i) => {
      const on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("ypsi-picker__option--active", on);
      if (on) option.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
    else input.removeAttribute("aria-activedescendant");
  };

  const label = (pupil) => `${pupil.name}, ${pupil.year_group}`;

  const show = (pupils) => {
    found = pupils;
    const options = pupils.map((pupil, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.className = "ypsi-picker__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(i);
      // A name is text, never markup; <bdi> keeps a right-to-left name apart from its year.
      const name = document.createElement("bdi");
      name.textContent = pupil.name;
      option.append(name, `, ${pupil.year_group}`);
      return option;
    });
    if (!options.length) {
      const none = document.createElement("li");
      none.id = `${list.id}-none`;
      none.className = "ypsi-picker__option ypsi-picker__option--none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.setAttribute("aria-selected", "false");
      none.textContent = "No pupil on the roster matches that";
      options.push(none);
    }
    list.replaceChildren(...options);
    active = -1;
    input.removeAttribute("aria-activedescendant");
    open();
    const n = pupils.length;
    // accessible-autocomplete's words, which screen reader users of GOV.UK services know.
    announce(
      n ? `${n} ${n === 1 ? "result is" : "results are"} available.` : "No pupil on the roster matches that.",
    );
  };

  const unavailable = (why) => {
    found = [];
    list.replaceChildren();
    close();
    announce(`${why} Select 'Find pupils' to search instead.`);
  };

  const search = async (query) => {
    if (asking) asking.abort();
    asking = new AbortController();
    const mine = ++asked;
    try {
      const url = `${picker.dataset.matchesUrl}?q=${encodeURIComponent(query)}`;
      // Signed out, the server answers with a redirect to the sign-in page: not a list.
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "error",
        signal: asking.signal,
      });
      if (mine !== asked) return;
      if (response.status === 429) return unavailable("Too many searches: wait a minute.");
      if (!response.ok) return unavailable("The roster cannot be searched here.");
      const { pupils } = await response.json();
      if (mine === asked && document.activeElement === input) show(pupils);
    } catch (error) {
      if (error.name !== "AbortError" && mine === asked) {
        unavailable("The roster cannot be searched just now.");
      }
    }
  };

  const choose = (index) => {
    const pupil = found[index];
    if (!pupil) return;
    input.value = pupil.name;
    close();
    choice.replaceChildren(...chosen(picker, pupil));
    announce(`Pupil chosen: ${label(pupil)}.`);
  };

  input.addEventListener("input", () => {
    clearTimeout(typing);
    const query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      if (asking) asking.abort();
      asked += 1;
      found = [];
      list.replaceChildren();
      close();
      return;
    }
    typing = setTimeout(() => search(query), TYPING_PAUSE_MS);
  });

  input.addEventListener("keydown", (event) => {
    const shown = !list.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!shown && list.children.length) open();
        else if (shown && found.length) highlight(Math.min(active + 1, found.length - 1));
        break;
      case "ArrowUp":
        if (!shown) break;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : -1); // above the first: back to the box
        break;
      case "Enter":
        // The list open, Enter chooses; it never sends the form from under the list.
        if (!shown) break;
        event.preventDefault();
        if (active >= 0) choose(active);
        else close();
        break;
      case "Escape":
        if (!shown) break;
        event.preventDefault();
        close();
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", () => close());
  // A click on the list keeps the focus in the box (blurring it would close the list first).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[data-index]");
    if (option) choose(Number(option.dataset.index));
  });
}

// What the page shows once a pupil is chosen, as _pupil_picker.html writes it: the id kept
// hidden under a line saying who, or (a `clearable` form) the pupil as a choice to undo.
function chosen(picker, pupil) {
  const { pupilName, pupilId } = picker.dataset;
  const name = () => make("bdi", {}, pupil.name);
  if (!("clearable" in picker.dataset)) {
    return [
      make("input", { type: "hidden", name: pupilName, id: pupilId, value: pupil.id }),
      make("p", { class: "govuk-body", id: `${pupilId}-chosen` }, "Pupil chosen: ",
        make("strong", {}, name()), `, ${pupil.year_group}`),
    ];
  }
  const item = (id, value, checked, ...text) => {
    const radio = make("input", { class: "govuk-radios__input", id, name: pupilName, type: "radio", value });
    radio.checked = checked;
    return make("div", { class: "govuk-radios__item" }, radio,
      make("label", { class: "govuk-label govuk-radios__label", for: id }, ...text));
  };
  return [
    make("div", { class: "govuk-form-group", id: `${pupilId}-group` },
      make("fieldset", { class: "govuk-fieldset" },
        make("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, "Pupil chosen"),
        make("div", { class: "govuk-radios govuk-radios--small" },
          item(`${pupilId}_0`, pupil.id, true, name(), `, ${pupil.year_group}`),
          make("div", { class: "govuk-radios__divider" }, "or"),
          item(`${pupilId}_none`, "", false, "Not a pupil here, or not known")))),
  ];
}

// An element with its attributes and its children (text is always text, never markup).
function make(tag, attributes, ...children) {
  const element = document.createElement(tag);
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, String(value)));
  element.append(...children);
  return element;
}

enhancePickers();
