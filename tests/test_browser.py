"""The website in a real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium): a
requester publishes, a worker previews, accepts, fills the form and submits, and the API returns the
answers; for an ExternalQuestion served by a test server, an HTMLQuestion in its sandbox, a QuestionForm,
and a qualification test.

The browser is installed when missing (as root, with apt-get); elsewhere these tests skip and say why
(with MTURK_MOCK_REQUIRE_BROWSER=1, as in CI, they fail instead).
``MTURK_MOCK_SCREENSHOTS=1`` makes ``test_screenshots`` write the README's pictures to docs/.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import boto3
import pytest

from mturk_mock import MTurkMock, MTurkServer

from . import browser as support
from .samples import ANSWER_KEY, TEST

webdriver = pytest.importorskip("selenium.webdriver", reason="the browser tests need selenium (the test extra)")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402, N812
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
DOCS = Path(__file__).resolve().parent.parent / "docs"
QUESTION_FORM = f"""<QuestionForm xmlns="{SCHEMAS}2017-11-06/QuestionForm.xsd">
  <Overview><Title>Two questions about a photo</Title><Text>Look at the photo, then answer.</Text></Overview>
  <Question>
    <QuestionIdentifier>animal</QuestionIdentifier>
    <DisplayName>Animal</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Which animal is in the photo?</Text></QuestionContent>
    <AnswerSpecification><SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion><Selections>
      <Selection><SelectionIdentifier>cat</SelectionIdentifier><Text>A cat</Text></Selection>
      <Selection><SelectionIdentifier>dog</SelectionIdentifier><Text>A dog</Text></Selection>
    </Selections></SelectionAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>count</QuestionIdentifier>
    <DisplayName>How many</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>How many animals can you see?</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer><Constraints>
      <IsNumeric minValue="0" maxValue="20"/>
    </Constraints></FreeTextAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>caption</QuestionIdentifier>
    <DisplayName>Caption</DisplayName>
    <QuestionContent><Text>Write a caption of at most 40 letters and spaces.</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer><Constraints>
      <Length minLength="3" maxLength="40"/>
      <AnswerFormatRegex regex="[A-Za-z ]+" errorText="Letters and spaces only"/>
    </Constraints><NumberOfLinesSuggestion>2</NumberOfLinesSuggestion></FreeTextAnswer></AnswerSpecification>
  </Question>
</QuestionForm>"""


@pytest.fixture(scope="module")
def chromium():
    try:
        chromium_path, driver_path = support.ensure_chromium()
    except support.Unavailable as unavailable:
        if os.environ.get("MTURK_MOCK_REQUIRE_BROWSER"):  # CI: a missing browser is a failure, not a skip
            pytest.fail(f"the browser tests need Chromium: {unavailable}")
        pytest.skip(f"browser tests skipped: {unavailable}")
    with tempfile.TemporaryDirectory(prefix="mturk-mock-chromium-") as profile:
        driver = support.start_chromium(chromium_path, driver_path, profile)
        driver.set_page_load_timeout(20)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture
def server():
    with MTurkServer(MTurkMock(), port=0) as running:
        yield running


@pytest.fixture
def driver(chromium, server):
    chromium.get(server.url + "/site/")
    chromium.delete_all_cookies()  # cookies are per host, not per port: each test starts signed out
    return chromium


def client(server: MTurkServer, access_key: str = "AKIAREQUESTER"):
    return boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=access_key,
        aws_secret_access_key="x",
    )


def wait(driver, condition, seconds: float = 10):
    """``condition`` within ``seconds``; a look that a navigation interrupts is tried again."""
    return WebDriverWait(driver, seconds, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
        condition
    )


def notice(driver, text: str) -> str:
    """The page's notice, once it says ``text`` (the page before may have had a notice of its own)."""
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash.notice"), text))
    return driver.find_element(By.CSS_SELECTOR, ".flash.notice").text


def sign_in(driver, server: MTurkServer, worker_id: str, masters: bool = False) -> None:
    driver.get(server.url + "/worker/")
    driver.find_element(By.ID, "worker_id").send_keys(worker_id)
    if masters:
        driver.find_element(By.NAME, "masters").click()
    driver.find_element(By.ID, "sign-in").click()
    assert wait(driver, EC.presence_of_element_located((By.ID, "current-worker"))).text == worker_id


def act_as(driver, server: MTurkServer, access_key: str) -> None:
    driver.get(server.url + "/requester/")
    driver.find_element(By.ID, "requester_new").send_keys(access_key)
    driver.find_element(By.XPATH, "//button[text()='Act as this requester']").click()
    notice(driver, f"Acting as requester {access_key}")


def open_hit(driver, title: str) -> None:
    driver.find_element(By.LINK_TEXT, title).click()
    wait(driver, EC.presence_of_element_located((By.ID, "mode")))


def external_question(url: str) -> str:
    return (
        f'<ExternalQuestion xmlns="{SCHEMAS}2006-07-14/ExternalQuestion.xsd">'
        f"<ExternalURL>{url}</ExternalURL><FrameHeight>400</FrameHeight></ExternalQuestion>"
    )


def publish(server: MTurkServer, title: str, question: str, **extra) -> str:
    hit = client(server).create_hit(
        Title=title,
        Description="A HIT published for the browser tests",
        Reward="0.25",
        MaxAssignments=2,
        LifetimeInSeconds=3600,
        AssignmentDurationInSeconds=600,
        Question=question,
        **extra,
    )["HIT"]
    return hit["HITId"]


def test_external_question_preview_accept_submit_and_approve(driver, server):
    with support.TaskServer() as task:
        hit_id = publish(server, "Label the picture", external_question(task.url + "?round=1"))
        sign_in(driver, server, "A1BROWSERWORKER")
        open_hit(driver, "Label the picture")

        frame = driver.find_element(By.ID, "hit-frame")
        assert frame.get_attribute("sandbox") is None  # the requester's own origin isolates an ExternalQuestion
        assert task.seen[-1] == {"round": "1", "assignmentId": "ASSIGNMENT_ID_NOT_AVAILABLE", "hitId": hit_id}
        driver.switch_to.frame(frame)
        assert driver.find_element(By.ID, "state").text.startswith("Preview")
        assert not driver.find_element(By.ID, "send").is_enabled()
        driver.switch_to.default_content()

        driver.find_element(By.ID, "accept").click()
        assignment_id = wait(driver, EC.presence_of_element_located((By.ID, "assignment-id"))).text
        assert task.seen[-1] == {
            "round": "1",
            "assignmentId": assignment_id,
            "hitId": hit_id,
            "turkSubmitTo": server.url,
            "workerId": "A1BROWSERWORKER",
        }
        driver.switch_to.frame(driver.find_element(By.ID, "hit-frame"))
        driver.find_element(By.ID, "label").send_keys("a <b>cat</b> & a dog")
        for box in driver.find_elements(By.NAME, "tags"):
            box.click()
        driver.find_element(By.ID, "send").click()
        driver.switch_to.default_content()  # the confirmation takes over the window
        assert assignment_id in wait(driver, EC.presence_of_element_located((By.ID, "submitted"))).text

    answer = client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"][0]["Answer"]
    fields = re.findall(r"<QuestionIdentifier>(.*?)</QuestionIdentifier>\s*<FreeText>(.*?)</FreeText>", answer)
    assert fields == [("label", "a &lt;b&gt;cat&lt;/b&gt; &amp; a dog"), ("tags", "animal"), ("tags", "outdoor")]

    # The requester approves from the site: an ApproveAssignment call of that requester, in the call log.
    act_as(driver, server, "AKIAREQUESTER")
    driver.get(f"{server.url}/requester/hits/{hit_id}")
    section = driver.find_element(By.ID, f"assignment-{assignment_id}")
    assert "a <b>cat</b> & a dog" in section.find_element(By.CSS_SELECTOR, "td.answer").text  # escaped, shown as text
    section.find_element(By.CSS_SELECTOR, "button.approve").click()
    assert notice(driver, "Approved") == f"Approved {assignment_id}."
    approvals = server.handle.calls_to("ApproveAssignment")
    assert [(call.requester, call.ok) for call in approvals] == [("AKIAREQUESTER", True)]
    assert client(server).get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"] == "Approved"


HTML_CONTENT = """<!DOCTYPE html><html><head>
<script src='https://s3.amazonaws.com/mturk-public/externalHIT_v1.js' type='text/javascript'></script></head><body>
<form name='mturk_form' method='post' id='mturk_form' action='https://www.mturk.com/mturk/externalSubmit'>
<input type='hidden' value='' name='assignmentId' id='assignmentId'/>
<label>Colour <input id='colour' name='colour'></label><input type='submit' id='submitButton' value='Submit'/>
</form><script>turkSetAssignmentID();</script></body></html>"""


def test_html_question_runs_sandboxed_with_the_mocks_helper_script(driver, server):
    question = (
        f'<HTMLQuestion xmlns="{SCHEMAS}2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[{HTML_CONTENT}]]>'
        "</HTMLContent><FrameHeight>300</FrameHeight></HTMLQuestion>"
    )
    hit_id = publish(server, "Name the colour", question)
    sign_in(driver, server, "A4BROWSERWORKER")
    open_hit(driver, "Name the colour")
    driver.switch_to.frame(driver.find_element(By.ID, "hit-frame"))
    assert not driver.find_element(By.ID, "submitButton").is_enabled()  # externalHIT_v1.js, served by the mock
    driver.switch_to.default_content()
    driver.find_element(By.ID, "accept").click()
    assignment_id = wait(driver, EC.presence_of_element_located((By.ID, "assignment-id"))).text
    driver.switch_to.frame(driver.find_element(By.ID, "hit-frame"))
    assert driver.find_element(By.ID, "assignmentId").get_attribute("value") == assignment_id
    assert driver.find_element(By.ID, "mturk_form").get_attribute("action") == f"{server.url}/mturk/externalSubmit"
    assert driver.execute_script("try { return document.cookie; } catch (error) { return 'no cookies'; }") == (
        "no cookies"  # a sandboxed, opaque origin: nothing of the site's
    )
    driver.find_element(By.ID, "colour").send_keys("teal")
    driver.find_element(By.ID, "submitButton").click()
    assert assignment_id in wait(driver, EC.presence_of_element_located((By.ID, "submitted"))).text  # in the frame
    driver.switch_to.default_content()
    answer = client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"][0]["Answer"]
    assert "<QuestionIdentifier>colour</QuestionIdentifier>\n<FreeText>teal</FreeText>" in answer


def test_question_form_is_an_accessible_form_with_its_constraints(driver, server):
    hit_id = publish(server, "Describe the photo", QUESTION_FORM)
    sign_in(driver, server, "A2BROWSERWORKER")
    open_hit(driver, "Describe the photo")
    assert driver.find_element(By.CSS_SELECTOR, "fieldset.question").get_attribute("disabled") == "true"  # preview

    driver.find_element(By.ID, "accept").click()
    wait(driver, EC.presence_of_element_located((By.ID, "assignment-id")))
    count = driver.find_element(By.NAME, "answer.count")
    assert (count.get_attribute("type"), count.get_attribute("min"), count.get_attribute("max")) == (
        "number",
        "0",
        "20",
    )
    assert count.get_attribute("required") == "true"
    caption = driver.find_element(By.NAME, "answer.caption")
    assert caption.tag_name == "textarea"
    assert (caption.get_attribute("minlength"), caption.get_attribute("maxlength")) == ("3", "40")
    assert caption.get_attribute("title") == "Letters and spaces only"
    hint = driver.find_element(By.ID, caption.get_attribute("aria-describedby").split()[-1])
    assert "Letters and spaces only" in hint.text
    legend = driver.find_element(By.CSS_SELECTOR, "#q1 legend").text
    assert legend.startswith("1. Animal") and "required" in legend

    driver.find_element(By.ID, "submit").click()  # the browser holds back a form that breaks its rules
    assert driver.find_element(By.ID, "question-form").is_displayed()
    assert client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"] == []

    driver.find_element(By.CSS_SELECTOR, "input[name='answer.animal'][value='dog']").click()
    count.send_keys("2")
    caption.send_keys("Two dogs in the snow")
    driver.find_element(By.ID, "submit").click()
    assert notice(driver, "You submitted").startswith("You submitted assignment")
    answer = client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"][0]["Answer"]
    assert "<QuestionIdentifier>animal</QuestionIdentifier><SelectionIdentifier>dog</SelectionIdentifier>" in answer
    assert "<FreeText>2</FreeText>" in answer and "<FreeText>Two dogs in the snow</FreeText>" in answer


def test_qualification_test_shows_the_score(driver, server):
    requester = client(server)
    qual = requester.create_qualification_type(
        Name="Colour vision",
        Description="Two questions about colours",
        QualificationTypeStatus="Active",
        Test=TEST,
        AnswerKey=ANSWER_KEY,
        TestDurationInSeconds=600,
    )["QualificationType"]["QualificationTypeId"]
    sign_in(driver, server, "A3BROWSERWORKER")
    driver.get(server.url + "/worker/qualifications")
    driver.find_element(By.ID, f"request-{qual}").click()
    wait(driver, EC.presence_of_element_located((By.ID, "question-form")))
    driver.find_element(By.CSS_SELECTOR, "input[name='answer.sky'][value='blue']").click()
    for selection in ("r", "g", "b"):
        driver.find_element(By.CSS_SELECTOR, f"input[name='answer.primaries'][value='{selection}']").click()
    driver.find_element(By.ID, "submit").click()
    assert notice(driver, "Test scored") == "Test scored: you were granted Colour vision with the value 100."
    assert driver.find_element(By.ID, f"held-{qual}").text == "Granted, value 100"
    score = requester.get_qualification_score(QualificationTypeId=qual, WorkerId="A3BROWSERWORKER")
    assert score["Qualification"]["IntegerValue"] == 100


@pytest.mark.skipif(not os.environ.get("MTURK_MOCK_SCREENSHOTS"), reason="set MTURK_MOCK_SCREENSHOTS=1 to write docs/")
def test_screenshots(driver, server):
    """The README's pictures: a worker's preview, a QuestionForm being answered, the requester's assignments."""
    DOCS.mkdir(exist_ok=True)
    with support.TaskServer() as task:
        publish(server, "Label the picture", external_question(task.url), Keywords="images, labels")
        hit_id = publish(server, "Describe the photo", QUESTION_FORM, Keywords="photos")
        sign_in(driver, server, "A1SCREENSHOTWORKER", masters=True)
        open_hit(driver, "Label the picture")
        driver.save_screenshot(str(DOCS / "worker-preview.png"))
        driver.get(server.url + "/worker/")
        open_hit(driver, "Describe the photo")
        driver.find_element(By.ID, "accept").click()
        wait(driver, EC.presence_of_element_located((By.ID, "assignment-id")))
        driver.find_element(By.CSS_SELECTOR, "input[name='answer.animal'][value='dog']").click()
        driver.find_element(By.NAME, "answer.count").send_keys("2")
        driver.find_element(By.NAME, "answer.caption").send_keys("Two dogs in the snow")
        driver.set_window_size(1280, 1400)  # the whole form, from the top
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(DOCS / "question-form.png"))
        driver.set_window_size(1280, 1000)
        server.handle.clock.advance(95)  # a worker takes a while
        driver.find_element(By.ID, "submit").click()
        notice(driver, "You submitted")
    act_as(driver, server, "AKIAREQUESTER")
    driver.get(f"{server.url}/requester/hits/{hit_id}")
    driver.save_screenshot(str(DOCS / "requester-assignments.png"))
    assert all((DOCS / name).stat().st_size > 10_000 for name in ("worker-preview.png", "question-form.png"))
