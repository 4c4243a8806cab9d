"""Keyboard, touch and small screens (issue 17, items 6 to 10): what a keyboard user and a phone
user meet, in Chromium, at the widths of a small phone (320), a common phone (390) and a laptop."""

import pytest
from playwright.sync_api import expect

from incidents import services

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1280)
FOCUS_YELLOW = "rgb(255, 221, 0)"  # GOV.UK's focus colour, #ffdd00
FOCUS_TEXT = "rgb(11, 12, 12)"  # and its text colour, #0b0c0c


def fill_the_report(page):
    """Everything the report form requires, typed as a member of staff would."""
    page.get_by_label("The young person themselves").check()
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("1")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("What were you told?").fill("A photo was shared in a group chat.")


def awaiting_sign_off(world):
    """An incident whose DSL decided to manage it in school: the headteacher's sign-off is next."""
    incident = factories.IncidentFactory(school=world.school)
    factories.InvolvedPersonFactory(incident=incident, name="Sam", age=15, roles=["pictured"])
    factories.complete_review(incident, world.dsl)
    services.decide_manage_in_school(incident, world.dsl, reason="Consensual, both 15")
    return incident


# --- 6. Enter sends the form, never "Add another person" -------------------------------------


def test_it_sends_the_report_when_enter_is_pressed_in_a_text_box(page, live_server, login, world):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    fill_the_report(page)
    received_by = page.get_by_label("Who received the disclosure?")
    received_by.fill("Ms Tutor")
    received_by.press("Enter")

    expect(page.get_by_role("heading", name="Concern received")).to_be_visible()
    assert world.school.incidents.get().received_by == "Ms Tutor"


# The first submit button of a form is what Enter in any of its text boxes does.
DEFAULT_BUTTON = """form => {
  const first = form.querySelector('button:not([type]), button[type=submit], input[type=submit]');
  return first && first.textContent.trim();
}"""


def test_it_makes_the_page_s_own_action_what_enter_does_in_every_form_with_two_buttons(
    page, live_server, login, world
):
    incident = awaiting_sign_off(world)
    forms = [
        (world.staff, "/report/", "Send to the safeguarding team"),
        (world.headteacher, f"/incidents/{incident.pk}/sign-off/", "Sign off"),
        (world.dsl, "/inspection/", "Show the report"),
    ]
    for user, url, action in forms:
        login(user)
        page.goto(live_server.url + url)
        main = page.locator("main form").filter(has=page.get_by_role("button", name=action))
        assert main.evaluate(DEFAULT_BUTTON) == action, url
        # And no other form on these pages has a second submit button nobody checked.
        for form in page.locator("form").all():
            buttons = form.locator("button[type=submit], button:not([type]), input[type=submit]")
            assert buttons.count() < 2 or form.evaluate(DEFAULT_BUTTON) == action, url

    # The inspection report's dates are text boxes: Enter shows the report, it does not
    # download a PDF.
    page.get_by_role("group", name="From").get_by_label("Day").press("Enter")
    expect(page.get_by_role("heading", name="Every incident")).to_be_visible()


# --- 7. Focus and position after an action ----------------------------------------------------


def test_it_puts_the_focus_in_the_new_person_after_add_another_person(
    page, live_server, login, world
):
    login(world.staff)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/report/")
    fill_the_report(page)
    page.get_by_label("Or their name or a description").fill("A friend in Year 9")
    add = page.get_by_role("button", name="Add another person")
    add.focus()
    page.keyboard.press("Enter")

    new_person = page.get_by_role("group", name="Person 2")
    first_box = new_person.get_by_label("Search the roster: name or UPN")
    expect(first_box).to_be_focused()
    expect(first_box).to_be_in_viewport()
    expect(new_person.get_by_text("Search the roster: name or UPN")).to_be_in_viewport()
    # Everything typed is still there, and nothing was sent.
    expect(page.get_by_label("What were you told?")).to_have_value(
        "A photo was shared in a group chat."
    )
    assert not world.school.incidents.exists()

    # Sent from there with a mistake (Person 1 has no part), the page comes back at the error
    # summary, not at the person added before.
    page.get_by_role("button", name="Send to the safeguarding team").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select their part in what happened.")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()


def test_it_shows_the_confirmation_of_a_review_section_where_the_focus_is(
    page, live_server, login, world
):
    incident = factories.IncidentFactory(school=world.school)
    login(world.dsl)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/incidents/{incident.pk}/review/typology/")
    form = page.locator("#typology-form")
    form.get_by_label("Experimental: romantic").check()
    form.get_by_role("group", name="Risk level").get_by_label("Low").check()
    form.get_by_role("button", name="Save and come back later").press("Enter")

    confirmation = page.get_by_role("alert").filter(has_text="saved to the record.")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_be_in_viewport()
    # The next Tab goes on from the confirmation, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('header')") is None


def test_it_moves_the_focus_into_the_field_from_each_error_summary_link(
    page, live_server, login, world
):
    incident = factories.IncidentFactory(school=world.school)
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    page.get_by_role("button", name="Send to the safeguarding team").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()

    # A choice, a date and a text box: each link lands in the first box of its field.
    links = {
        "Select how the concern came to light.": page.get_by_label("The young person themselves"),
        "Enter the date of the disclosure.": page.get_by_role(
            "group", name="When was it disclosed?"
        ).get_by_label("Day"),
        "Write down what you were told.": page.get_by_label("What were you told?"),
    }
    for message, box in links.items():
        summary.get_by_role("link", name=message).press("Enter")
        expect(box).to_be_focused()
        expect(box).to_be_in_viewport()

    # The review's typology is drawn by hand: its link lands in its first choice too.
    login(world.dsl)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/review/typology/")
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".govuk-error-summary").get_by_role("link", name="Select the typology.").click()
    expect(page.locator("#typology-form").get_by_role("radio").first).to_be_focused()


# --- 8. Targets at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8) --------------------------------

# Every link and control that is too small, unless the criterion excuses it: a link in a
# sentence, or one whose 24 px circle meets no other target (nor another's circle).
SMALL_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]';
  const targets = [...document.querySelectorAll(selector)].map(el => ({el, r: el.getBoundingClientRect()}))
    .filter(({el, r}) => r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden');
  const small = t => t.r.width < 24 || t.r.height < 24;
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const inSentence = el => getComputedStyle(el).display === 'inline'
    && el.parentElement.textContent.trim() !== el.textContent.trim();
  const reaches = (t, o) => {
    const [x, y] = centre(t.r);
    if (small(o)) { const [ox, oy] = centre(o.r); return Math.hypot(x - ox, y - oy) < 24; }
    const dx = Math.max(o.r.left - x, 0, x - o.r.right), dy = Math.max(o.r.top - y, 0, y - o.r.bottom);
    return Math.hypot(dx, dy) < 12;
  };
  const apart = (t, o) => !t.el.contains(o.el) && !o.el.contains(t.el);  // a table's box holds its links
  return targets.filter(t => small(t) && !inSentence(t.el) && targets.some(o => apart(t, o) && reaches(t, o)))
    .map(t => `${t.el.textContent.trim() || t.el.name} ${Math.round(t.r.width)}x${Math.round(t.r.height)}`);
}"""

HEADER_TARGETS = """() => [...document.querySelectorAll('header a, header button')].map(el => {
  const r = el.getBoundingClientRect();
  return {name: el.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom};
})"""


def overlap(a, b) -> bool:
    across = max(a["left"], b["left"]) < min(a["right"], b["right"])
    down = max(a["top"], b["top"]) < min(a["bottom"], b["bottom"])
    return across and down


@pytest.mark.parametrize("width", WIDTHS)
def test_it_makes_every_link_and_button_big_enough_to_tap(
    page, live_server, login, world, managed, width
):
    login(world.dsl)
    page.set_viewport_size({"width": width, "height": 800})
    pages = [
        "/",
        "/report/",
        "/incidents/",
        f"/incidents/{managed.pk}/",
        f"/incidents/{managed.pk}/review/",
    ]
    for url in pages:
        page.goto(live_server.url + url)
        assert page.evaluate(SMALL_TARGETS) == [], url

    # The header's links and the sign-out button: each 24 px high at least, none over another,
    # none past the edge of a phone.
    header = page.evaluate(HEADER_TARGETS)
    assert [t["name"] for t in header if t["bottom"] - t["top"] < 24] == []
    assert [
        (a["name"], b["name"])
        for i, a in enumerate(header)
        for b in header[i + 1 :]
        if overlap(a, b)
    ] == []
    assert [t["name"] for t in header if t["left"] < 0 or t["right"] > width] == []


# --- 9. The site's font and the GOV.UK focus style everywhere; dates in error --------------------


def test_it_draws_the_header_in_the_site_s_font(page, live_server, login, world):
    login(world.staff)
    site_font = page.locator("h1").evaluate("el => getComputedStyle(el).fontFamily")
    assert site_font.lower().startswith("arial")
    for part in [
        page.get_by_role("link", name="ypsi"),
        page.get_by_role("link", name="Report a concern"),
        page.get_by_role("button", name="Sign out"),
        page.get_by_text("OFFICIAL-SENSITIVE"),
    ]:
        assert part.evaluate("el => getComputedStyle(el).fontFamily") == site_font


# What shows where the focus is: GOV.UK's yellow (as a background, an outline or a shadow; for a
# radio or a checkbox, around its drawn circle or box), with black text on a yellow background.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input')
    ? getComputedStyle(el.nextElementSibling, '::before') : s;
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 3 ? s.outlineColor : '';
  return {
    what: `${el.tagName} ${(el.textContent || el.name || el.id).trim().slice(0, 40)}`,
    yellow: [s.backgroundColor, drawn.boxShadow, outline].some(v => v.includes('rgb(255, 221, 0)')),
    background: s.backgroundColor, color: s.color,
  };
}"""


def tab_through(page, limit=150):
    """The focus style of everything Tab reaches on the page, in order, once round."""
    seen, styles = set(), []
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        key = page.evaluate(
            "() => { const el = document.activeElement; if (!el.dataset.tabbed)"
            " el.dataset.tabbed = String(Math.random()); return el.dataset.tabbed; }"
        )
        if key in seen or page.evaluate("document.activeElement === document.body"):
            break
        seen.add(key)
        styles.append(page.evaluate(FOCUS_STYLE))
    return styles


def test_it_shows_the_gov_uk_focus_style_on_everything_tab_reaches(
    page, live_server, login, world, managed
):
    login(world.dsl)
    page.set_viewport_size({"width": 390, "height": 800})
    for url in ["/report/", f"/incidents/{managed.pk}/", "/inspection/"]:
        page.goto(live_server.url + url)
        styles = tab_through(page)
        assert len(styles) > 10, url
        assert [s["what"] for s in styles if not s["yellow"]] == [], url
        on_yellow = [s for s in styles if s["background"] == FOCUS_YELLOW]
        assert [s["what"] for s in on_yellow if s["color"] != FOCUS_TEXT] == [], url
        # The header's links and button among them: a yellow background with black text.
        header = [s for s in styles if s["what"].startswith(("A Report a concern", "BUTTON Sign"))]
        assert len(header) == 2 and all(s in on_yellow for s in header), url


def test_it_marks_each_box_of_a_date_in_error(page, live_server, login, world):
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    fill_the_report(page)
    when = page.get_by_role("group", name="When was it disclosed?")
    when.get_by_label("Day").fill("40")
    page.get_by_role("button", name="Send to the safeguarding team").click()

    message = when.get_by_text("Enter a real date, for example 27 3 2026.")
    expect(message).to_be_visible()
    error_red = message.evaluate("el => getComputedStyle(el).color")
    for box in ("Day", "Month", "Year"):
        field = when.get_by_label(box)
        expect(field).to_have_attribute("aria-invalid", "true")
        assert field.evaluate("el => getComputedStyle(el).borderTopColor") == error_red
    # A date without an error is drawn as usual.
    login(world.staff)
    page.goto(f"{live_server.url}/report/")
    day = page.get_by_role("group", name="When was it disclosed?").get_by_label("Day")
    expect(day).not_to_have_attribute("aria-invalid", "true")
    assert day.evaluate("el => getComputedStyle(el).borderTopColor") != error_red


# --- 10. Wide tables scroll in their own box; the page never scrolls sideways -----------------

# Each table wider than the window: the box it scrolls in, with its name, role and tab stop.
WIDE_TABLES = """() => [...document.querySelectorAll('main table')]
  .filter(t => t.getBoundingClientRect().width > document.documentElement.clientWidth)
  .map(t => {
    const box = t.parentElement;
    return {table: t.id || t.caption?.textContent.trim(), role: box.getAttribute('role'),
            name: box.getAttribute('aria-label') || document.getElementById(box.getAttribute('aria-labelledby'))?.textContent.trim(),
            tabindex: box.getAttribute('tabindex'), scrolls: box.scrollWidth > box.clientWidth};
  })"""


@pytest.mark.parametrize("width", (320, 390))
def test_it_scrolls_each_wide_table_in_its_own_box_not_the_page(
    page, live_server, login, world, managed, width
):
    factories.PupilFactory(school=world.school, first_name="Alexandra", last_name="Montgomery")
    login(world.dsl)
    page.set_viewport_size({"width": width, "height": 800})
    pages = {
        "incident list": "/incidents/",
        "incident page": f"/incidents/{managed.pk}/",
        "chronology": f"/incidents/{managed.pk}/chronology/",
        "history": f"/incidents/{managed.pk}/history/",
        "roster": f"/schools/{world.school.pk}/pupils/",
        "inspection": "/inspection/",
    }
    wide_somewhere = False
    for name, url in pages.items():
        page.goto(live_server.url + url)
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways == 0, f"the {name} scrolls sideways by {sideways} px"
        for table in page.evaluate(WIDE_TABLES):
            wide_somewhere = True
            assert table["role"] == "region" and table["name"], (name, table)
            assert table["tabindex"] == "0" and table["scrolls"], (name, table)

    # The inspection report's table is wide at any phone's width: the arrow keys bring its last
    # column into the window.
    assert wide_somewhere
    box = page.get_by_role("region", name="Every incident")
    last = box.get_by_role("columnheader", name="Late deletions (reminders)")

    def last_column_shown():
        return last.evaluate("el => el.getBoundingClientRect().right") <= width

    assert not last_column_shown()
    box.focus()
    for _ in range(40):  # Chromium scrolls smoothly: a press at a time
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        if last_column_shown():
            break
    assert last_column_shown()
    assert page.evaluate("window.scrollX") == 0
