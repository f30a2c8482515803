"""The worker site and /mturk/externalSubmit over HTTP, without a browser (spec H§2.3, H§3.6, H§4): the
frames' URLs, the submit flow and its refusals, which read as the simulation's WorkerActionRefused reasons;
CSRF tokens, escaping and the HTMLQuestion sandbox."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from mturk_mock import MTurkMock, MTurkServer, WorkerActionRefused

from .samples import HIT_QUESTION_FORM
from .site_client import SCHEMAS, SiteClient, client, flash, publish

WORKER = "A1WEBWORKER"


@pytest.fixture
def server():
    with MTurkServer(MTurkMock(), port=0) as running:
        yield running


@pytest.fixture
def site(server):
    return SiteClient(server)


def frame_parameters(answer) -> dict[str, str]:
    src = html.unescape(re.search(r'<iframe id="hit-frame"[^>]* src="([^"]+)"', answer.text).group(1))
    return dict(parse_qsl(urlsplit(src).query))


def accepted(site: SiteClient, hit_id: str, worker_id: str = WORKER) -> str:
    site.sign_in(worker_id)
    page = site.post(f"/worker/hits/{hit_id}/accept")
    return re.search(r'id="assignment-id">([A-Z0-9]+)<', page.text).group(1)


def answers_of(server, hit_id: str) -> list[tuple[str, str]]:
    answer = client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"][0]["Answer"]
    pairs = re.findall(
        r"<QuestionIdentifier>(.*?)</QuestionIdentifier>\s*(?:<FreeText>(.*?)</FreeText>|<FreeText/>)", answer
    )
    return [(name, value) for name, value in pairs]


def test_frame_urls_in_preview_and_after_accept(server, site):
    hit_id = publish(server)
    site.sign_in(WORKER)
    preview = site.get(f"/worker/hits/{hit_id}")
    assert frame_parameters(preview) == {"round": "1", "assignmentId": "ASSIGNMENT_ID_NOT_AVAILABLE", "hitId": hit_id}
    work = site.post(f"/worker/hits/{hit_id}/accept")
    assignment_id = re.search(r'id="assignment-id">([A-Z0-9]+)<', work.text).group(1)
    assert frame_parameters(work) == {
        "round": "1",
        "assignmentId": assignment_id,
        "hitId": hit_id,
        "turkSubmitTo": server.url,  # the mock itself, as the browser addressed it
        "workerId": WORKER,
    }
    assert 'class="fill"' in work.text  # FrameHeight 0: the window's height


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_external_submit_turns_the_fields_into_answers_and_sends_the_worker_back(server, site, method):
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    fields = [("assignmentId", assignment_id), ("hitId", hit_id), ("colour", "blue"), ("tags", "a"), ("tags", "b"),
              ("comment", ""), ("workerId", WORKER), ("turkSubmitTo", server.url)]  # fmt: skip
    if method == "POST":
        answer = site.post("/mturk/externalSubmit", fields, csrf=False, follow=False)
    else:
        answer = site.request("GET", "/mturk/externalSubmit?" + urlencode(fields), follow=False)
    assert (answer.status, answer.header("location")) == (303, f"/worker/submitted/{assignment_id}")
    assert answers_of(server, hit_id) == [("colour", "blue"), ("tags", "a"), ("tags", "b"), ("comment", "")]
    confirmation = site.get(answer.header("location"))
    assert assignment_id in confirmation.text and "data-break-out-of-frame" in confirmation.text


def test_external_submit_without_the_sites_cookie_takes_the_assignments_holder(server, site):
    """A requester's page on another origin posts without the site's SameSite cookies."""
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    stranger = SiteClient(server)
    answer = stranger.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "label": "cat"}, csrf=False)
    assert answer.status == 200 and "Work submitted" in answer.text
    assert answers_of(server, hit_id) == [("label", "cat")]


def _refusal(answer) -> str:
    return html.unescape(re.search(r'id="refusal">(.*?)</p>', answer.text, re.S).group(1))


def test_external_submit_refusals(server, site):
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    cases = [
        ({"label": "cat"}, 400, "did not send an assignmentId"),
        ({"assignmentId": "ASSIGNMENT_ID_NOT_AVAILABLE", "label": "cat"}, 400, "You are previewing this HIT"),
        ({"assignmentId": "3NOSUCHASSIGNMENT0000000000000", "label": "cat"}, 404, "there is no assignment"),
        ({"assignmentId": assignment_id, "workerId": "A2SOMEONEELSE", "label": "cat"}, 403, "is not yours"),
        ({"assignmentId": assignment_id, "hitId": hit_id, "workerId": WORKER}, 400, "no answer field"),
    ]
    for fields, status, reason in cases:
        answer = site.post("/mturk/externalSubmit", fields, csrf=False)
        assert answer.status == status, fields
        assert reason in _refusal(answer), fields
    other = SiteClient(server)
    other.sign_in("A3SIGNEDINWORKER")
    foreign = other.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "label": "cat"}, csrf=False)
    assert foreign.status == 403 and "is not yours" in _refusal(foreign)
    assert client(server).list_assignments_for_hit(HITId=hit_id)["Assignments"] == []


def test_external_submit_refusals_read_as_the_simulations(server, site):
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    assert site.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "a": "1"}, csrf=False).status == 200
    again = site.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "a": "2"}, csrf=False)
    with pytest.raises(WorkerActionRefused) as refused:
        server.handle.worker(WORKER).assignment(assignment_id).submit({"a": "2"})
    assert (again.status, _refusal(again)) == (400, refused.value.reason)

    form_hit = publish(server, HIT_QUESTION_FORM)
    form_assignment = accepted(site, form_hit)
    posted = site.post("/mturk/externalSubmit", {"assignmentId": form_assignment, "a": "1"}, csrf=False)
    assert posted.status == 400 and "QuestionForm" in _refusal(posted)


def test_the_deadline_ends_what_can_be_submitted(server, site):
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    server.handle.clock.advance(601)  # AssignmentDurationInSeconds=600: abandoned
    late = site.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "label": "cat"}, csrf=False)
    assert late.status == 404 and "there is no assignment" in _refusal(late)


def test_worker_refusals_show_the_simulations_reason(server, site):
    requester = client(server)
    qual = requester.create_qualification_type(
        Name="Trusted", Description="Only some", QualificationTypeStatus="Active"
    )["QualificationType"]["QualificationTypeId"]
    hit_id = publish(server, QualificationRequirements=[{"QualificationTypeId": qual, "Comparator": "Exists"}])
    site.sign_in(WORKER)
    page = site.post(f"/worker/hits/{hit_id}/accept")
    with pytest.raises(WorkerActionRefused) as refused:
        server.handle.worker("A9OTHERWORKER").accept(hit_id)
    assert html.unescape(flash(page)) == refused.value.reason
    assert client(server).get_hit(HITId=hit_id)["HIT"]["NumberOfAssignmentsPending"] == 0


def test_sign_in_with_a_profile_and_history(server, site):
    masters = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6"
    hit_id = publish(server, QualificationRequirements=[{"QualificationTypeId": masters, "Comparator": "Exists",
                                                         "ActionsGuarded": "DiscoverPreviewAndAccept"}])  # fmt: skip
    site.sign_in("A1PLAIN", country="US")
    assert hit_id not in site.get("/worker/").text
    site.sign_in("A2MASTER", country="DE", masters="1", approved="120", rejected="3")
    home = site.get("/worker/")
    assert hit_id in home.text and "DE" in home.text and "120 approved, 3 rejected" in home.text
    worker = server.handle.worker("A2MASTER")
    assert worker.search_hits() == [hit_id]
    with server.handle.world.session("sandbox") as (market, _now):
        profile = market.workers.profile("A2MASTER")
        assert (profile.country, profile.masters, profile.past_approved, profile.past_rejected) == ("DE", True, 120, 3)
    refused = site.sign_in("not-a-worker!")
    assert "is not a worker ID" in html.unescape(flash(refused))


def test_worker_actions_need_the_sites_csrf_token(server, site):
    hit_id = publish(server)
    site.sign_in(WORKER)
    forged = site.post(f"/worker/hits/{hit_id}/accept", {"csrf_token": "forged"}, csrf=False)
    assert forged.status == 403
    elsewhere = SiteClient(server)
    stolen = site.post(f"/worker/hits/{hit_id}/accept", {"csrf_token": elsewhere.token()}, csrf=False)
    assert stolen.status == 403  # a token is bound to its browser's session cookie
    assert client(server).get_hit(HITId=hit_id)["HIT"]["NumberOfAssignmentsPending"] == 0


def test_return_frees_the_slot(server, site):
    hit_id = publish(server)
    assignment_id = accepted(site, hit_id)
    page = site.post(f"/worker/assignments/{assignment_id}/return")
    assert f"You returned assignment {assignment_id}." in flash(page)
    assert client(server).get_hit(HITId=hit_id)["HIT"]["NumberOfAssignmentsPending"] == 0


def test_values_are_escaped(server, site):
    hostile = '<script>alert("x")</script>'
    hit_id = publish(server, Title=hostile, Description=hostile)
    site.sign_in(WORKER)
    for page in (site.get("/worker/"), site.get(f"/worker/hits/{hit_id}")):
        assert hostile not in page.text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_html_question_is_sandboxed_and_its_mturk_urls_point_at_the_mock(server, site):
    content = (
        "<script src='https://s3.amazonaws.com/mturk-public/externalHIT_v1.js'></script>"
        "<form id='mturk_form' method='post' action='https://workersandbox.mturk.com/mturk/externalSubmit'>"
        "<input type='hidden' id='assignmentId' name='assignmentId'><input name='q'></form>"
    )
    question = (
        f'<HTMLQuestion xmlns="{SCHEMAS}2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[{content}]]>'
        "</HTMLContent><FrameHeight>300</FrameHeight></HTMLQuestion>"
    )
    hit_id = publish(server, question)
    site.sign_in(WORKER)
    preview = site.get(f"/worker/hits/{hit_id}")
    frame = re.search(r'<iframe id="hit-frame"[^>]*>', preview.text).group(0)
    assert 'sandbox="allow-scripts allow-forms' in frame and "allow-same-origin" not in frame
    src = html.unescape(re.search(r'src="([^"]+)"', frame).group(1))
    served = site.get(src)
    policy = served.header("content-security-policy")
    assert policy.startswith("sandbox allow-scripts allow-forms") and "allow-same-origin" not in policy
    assert f"form-action {server.url}/mturk/externalSubmit;" in policy and "connect-src https:;" in policy
    assert (
        f"{server.url}/mturk/externalSubmit" in served.text and f"{server.url}/static/externalHIT_v1.js" in served.text
    )
    assert "mturk.com" not in served.text and "amazonaws.com" not in served.text
    assert site.get("/static/externalHIT_v1.js").status == 200


def test_site_pages_allow_only_their_own_scripts_and_framing(server, site):
    requester = site.get("/requester/")
    assert "frame-ancestors 'none'" in requester.header("content-security-policy")
    assert requester.header("x-frame-options") == "DENY"
    worker = site.get("/worker/")
    policy = worker.header("content-security-policy")
    assert "script-src 'self';" in policy and "frame-ancestors 'self';" in policy
    for page in (requester, worker, site.get("/site/")):
        assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
        assert assets and all(asset.startswith("/static/") or asset == "data:," for asset in assets)  # no CDN


def test_a_browser_asking_for_the_root_gets_the_site_and_clients_still_get_the_protocol(server, site):
    answer = site.request("GET", "/", headers={"Accept": "text/html,application/xhtml+xml"}, follow=False)
    assert (answer.status, answer.header("location")) == (303, "/site/")
    assert site.request("GET", "/", follow=False).status == 405
    assert server.website_url == f"{server.url}/site/"
