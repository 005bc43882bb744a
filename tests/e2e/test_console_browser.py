"""The review console in headless Chromium, against the running web app with Slack on a local
fake Slack Web API: sign in, find a trace, judge a dispute a user opened with Not right in
Slack and see the correction posted into their thread, and resolve an escalation; and the web
chat page showing what a lead wrote. Screenshots of the main pages go to test-output/console/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.console.accounts import add_account
from tests.chat_drivers.base import running_driver, wait_until
from tests.conftest import IN_CI, POSTGRES_URL, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = REPO / "test-output" / "console"
PASSWORD = "a long enough password"


def _require_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    reason = "Debian's chromium and chromium-driver are not installed (/usr/bin/chromium, /usr/bin/chromedriver)"
    if IN_CI:
        pytest.fail(f"CI=true but {reason}: browser tests must not be skipped")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def slack_app(tmp_path_factory, example_script_model):
    _require_chromium()
    yield from running_driver("slack", POSTGRES_URL or "sqlite", tmp_path_factory, example_script_model)


@pytest.fixture(scope="module")
def browser(slack_app):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--window-size=1400,1000", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    # An explicit Service: Selenium Manager never goes to the network for a driver.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def leads(slack_app):
    for name in ("lea", "leo"):
        add_account(slack_app.container.sessions, name, "lead", PASSWORD)
    add_account(slack_app.container.sessions, "ada", "admin", PASSWORD)


def click_and_load(driver, element) -> None:
    """Clicks a link or a form's button and waits until the next page has replaced this one:
    reading the page straight after the click can still find the old page's elements."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_driver) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:  # stale; Chromium sometimes says "node does not belong to the document"
            return True
        return False

    WebDriverWait(driver, 15).until(replaced)


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def sign_in(driver, base: str, name: str, wanted: str = "/console/traces") -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + wanted)
    assert "/console/login" in driver.current_url, "the console is not reachable without signing in"
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "#login button"))
    assert driver.find_element(By.ID, "signed-in-as").text.startswith(name)


def ask_in_slack(slack_app, text: str):
    thread = slack_app.new_thread()
    assert slack_app.send(thread, text) == 200
    [answer] = wait_until(lambda: [m for m in slack_app.bot_messages(thread) if m.trace_id], 120)
    return thread, answer


def test_a_lead_signs_in_finds_a_trace_and_judges_the_dispute_a_user_opened_in_slack(slack_app, browser, leads):
    from selenium.webdriver.common.by import By

    question = "How much does the Pro plan cost? <b>asap</b>"
    thread, answer = ask_in_slack(slack_app, question)
    assert slack_app.click(answer, "not_right", reason="outdated_doc", details="the price went up") == 200
    base = slack_app.base_url

    browser.get(base + "/console/traces")
    shot(browser, "01-sign-in")
    sign_in(browser, base, "lea")
    search = browser.find_element(By.ID, "search")
    search.send_keys("Pro plan cost")
    click_and_load(browser, browser.find_element(By.ID, "apply-filters"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#trace-list tbody tr")
    assert len(rows) == 1 and "<b>asap</b>" in rows[0].text, "the question's HTML shows as text"
    shot(browser, "02-trace-list")
    click_and_load(browser, rows[0].find_element(By.CSS_SELECTOR, "a.trace-link"))
    assert answer.trace_id in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.ID, "question").text == question
    assert browser.find_elements(By.CSS_SELECTOR, "#evidence pre.chunk"), "the evidence as the bot saw it"
    assert "Route" in browser.find_element(By.ID, "routing").text
    shot(browser, "03-trace")

    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#disputes a[href^='/console/disputes/']"))
    assert "the price went up" in browser.page_source
    click_and_load(browser, browser.find_element(By.ID, "take-into-review"))
    assert browser.find_element(By.ID, "assignee").text == "lea"
    browser.find_element(By.ID, "verdict-upheld").click()
    browser.find_element(By.ID, "correction").send_keys("Pro now costs $18 per month.")
    shot(browser, "04-dispute")
    click_and_load(browser, browser.find_element(By.ID, "save-verdict"))
    assert "correction was posted" in browser.find_element(By.ID, "notice").text
    assert browser.find_element(By.ID, "dispute-status").text == "upheld"
    shot(browser, "05-dispute-judged")

    channel, root = thread.split("/")
    posted = wait_until(lambda: [p for p in slack_app.fake.posts(channel, root) if "Pro now costs $18" in (p.get("text") or "")], 10)
    assert len(posted) == 1


def test_a_lead_claims_and_resolves_an_escalation_while_a_second_lead_is_told_who_has_it(slack_app, browser, leads):
    from selenium.webdriver.common.by import By

    thread, answer = ask_in_slack(slack_app, "How do I connect my bank account?")
    assert slack_app.click(answer, "talk_to_human") == 200
    base = slack_app.base_url
    sign_in(browser, base, "lea", "/console/escalations")
    shot(browser, "06-escalations")
    click_and_load(browser, browser.find_elements(By.CSS_SELECTOR, "a.escalation-link")[-1])
    click_and_load(browser, browser.find_element(By.ID, "claim"))
    assert "You claimed this escalation" in browser.find_element(By.ID, "notice").text
    escalation_path = browser.current_url.split("?")[0].removeprefix(base)

    with httpx.Client(base_url=base) as other:  # a second lead, in another browser session
        form = other.get("/console/login")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        other.post("/console/login", data={"name": "leo", "password": PASSWORD, "csrf_token": token, "next": escalation_path})
        page = other.get(escalation_path)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        refused = other.post(f"{escalation_path}/claim", data={"csrf_token": csrf})
        assert refused.status_code == 409 and "lea already claimed" in refused.text

    browser.find_element(By.ID, "resolution").send_keys("I've connected it for you; try again now.")
    shot(browser, "07-escalation")
    click_and_load(browser, browser.find_element(By.ID, "resolve"))
    assert "closed (resolved)" in browser.find_element(By.ID, "escalation-state").text
    channel, root = thread.split("/")
    wait_until(lambda: [p for p in slack_app.fake.posts(channel, root) if "connected it for you" in (p.get("text") or "")], 10)


def test_the_dashboard_and_the_audit_log_render(slack_app, browser, leads):
    from selenium.webdriver.common.by import By

    ask_in_slack(slack_app, "I forgot my password")  # a script run left waiting at its first step
    base = slack_app.base_url
    sign_in(browser, base, "lea", "/console/dashboard")
    charts = browser.find_elements(By.CSS_SELECTOR, "#charts svg")
    assert charts and browser.find_elements(By.CSS_SELECTOR, "#charts rect.bar")
    [run] = [r for r in browser.find_elements(By.CSS_SELECTOR, "#script-outcomes tr.outcome-row") if "reset_password" in r.text]
    run.find_element(By.TAG_NAME, "summary").click()
    assert "waiting at check_sso 1" in run.text
    shot(browser, "08-dashboard")
    click_and_load(browser, run.find_element(By.CSS_SELECTOR, "details a"))
    assert "Waits at step check_sso" in browser.find_element(By.ID, "routing").text
    shot(browser, "08b-script-turn")
    browser.get(base + "/console/audit")
    assert "Admins only" in browser.page_source
    sign_in(browser, base, "ada", "/console/audit")
    audit = browser.find_element(By.ID, "audit-list").text
    assert "dispute judged" in audit and "escalation claimed" in audit and "lea" in audit
    shot(browser, "09-audit-log")


def _declined_traces(slack_app) -> list:
    from sqlalchemy import select

    from bot.db.models import AnswerTrace

    with slack_app.container.sessions() as session:
        return [t for t in session.scalars(select(AnswerTrace.routing)) if (t or {}).get("declined_script")]


def test_a_lead_marks_a_declined_script_not_a_script_and_undoes_it_on_the_corrections_page(slack_app, browser, leads):
    from selenium.webdriver.common.by import By

    question = "is there a refund policy for annual plans?"
    _, answer = ask_in_slack(slack_app, question)
    assert slack_app.click(answer, "just_asking") == 200
    wait_until(lambda: _declined_traces(slack_app), 60)
    base = slack_app.base_url
    sign_in(browser, base, "lea", "/console/dashboard")
    declined = browser.find_element(By.ID, "declined")
    declined.find_element(By.TAG_NAME, "summary").click()
    click_and_load(browser, declined.find_element(By.XPATH, ".//button[text()='Not a script']"))
    assert "Added to the out-of-scope messages" in browser.find_element(By.ID, "notice").text

    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Corrections"))
    [row] = browser.find_elements(By.CSS_SELECTOR, "#not-a-script tbody tr")
    assert question in row.text and "lea" in row.text and "at the next supportbot train" in row.text
    shot(browser, "10-corrections")
    click_and_load(browser, row.find_element(By.TAG_NAME, "button"))
    assert "no longer learns it" in browser.find_element(By.ID, "notice").text
    assert "No question is marked Not a script." in browser.find_element(By.ID, "not-a-script").text


def test_the_web_chat_page_shows_what_support_writes_from_the_console(slack_app, browser):
    from selenium.webdriver.common.by import By
    from sqlalchemy import select

    from bot.db.models import Conversation

    browser.get(slack_app.base_url + "/")
    browser.find_element(By.ID, "text").send_keys("How much does the Pro plan cost?\n")
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".msg.bot .actions"), 30)
    conversation = browser.execute_script("return conversation")
    container = slack_app.container
    with container.sessions() as session:
        conversation_id = session.scalar(
            select(Conversation.id).where(Conversation.channel == "web", Conversation.external_key == conversation))
    container.console.poster.post(conversation_id, "Pro is <b>$15</b> a month from today.", "lea")

    [note] = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".msg.support"), 15)
    assert note.text == "Support (lea)\nPro is <b>$15</b> a month from today.", "shown as text, never as markup"
    shot(browser, "10-web-chat-support-reply")
    browser.execute_async_script("pollSupport().then(arguments[arguments.length - 1])")  # asked again, to its end
    assert len(browser.find_elements(By.CSS_SELECTOR, ".msg.support")) == 1, "nothing new, nothing shown twice"


def test_the_web_chat_page_answers_from_the_docs_when_the_user_was_just_asking(slack_app, browser):
    from selenium.webdriver.common.by import By

    from strategies.router import MISREAD

    browser.get(slack_app.base_url + "/")
    browser.find_element(By.ID, "text").send_keys("how do I reset my password? I forgot it\n")
    [bar] = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".msg.bot .actions"), 30)
    just_asking = bar.find_element(By.TAG_NAME, "button")
    assert just_asking.text == "Just asking"
    just_asking.click()

    answers = wait_until(lambda: len(found := browser.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 2 and found, 30)
    assert answers[1].text.startswith(MISREAD) and answers[1].find_elements(By.CSS_SELECTOR, ".sources a")
    assert [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".msg.user")][-1] == "Just asking"
    buttons = bar.find_elements(By.TAG_NAME, "button")
    assert [b.text for b in buttons] == ["Helpful", "Not right", "Talk to a human"], "the answered button is gone"
    assert all(b.get_attribute("disabled") for b in buttons), "clicked once"
    shot(browser, "11-web-chat-just-asking")


def test_the_web_chat_page_answers_a_scripts_question_with_its_buttons(slack_app, browser):
    from selenium.webdriver.common.by import By

    browser.get(slack_app.base_url + "/")
    browser.find_element(By.ID, "text").send_keys("I forgot my password\n")
    [answers] = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ".msg.bot .answers"), 30)
    assert [b.text for b in answers.find_elements(By.TAG_NAME, "button")] == ["Yes", "No"]
    answers.find_elements(By.TAG_NAME, "button")[1].click()

    replies = wait_until(lambda: len(found := browser.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 2 and found, 30)
    assert "Forgot password?" in replies[1].text and "**" not in replies[1].text, "the script's bold is rendered"
    assert "Forgot password?" in [b.text for b in replies[1].find_elements(By.TAG_NAME, "b")]
    assert [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".msg.user")][-1] == "No"
    assert not replies[0].find_elements(By.CSS_SELECTOR, ".answers"), "the answered question's buttons are gone"
    assert [b.text for b in replies[1].find_elements(By.CSS_SELECTOR, ".answers button")] == ["Yes", "No"]
    shot(browser, "12-web-chat-answer-buttons")


def test_with_ci_true_a_missing_chromium_fails_instead_of_skipping(monkeypatch, tmp_path):
    import tests.e2e.test_console_browser as this

    monkeypatch.setattr(this, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(this, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="must not be skipped"):
        this._require_chromium()
    monkeypatch.setattr(this, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        this._require_chromium()
