"""The requester site over HTTP: every button is an MTurk call through the pipeline as the chosen requester
(logged, with the service's own error messages), the pages show what that requester owns, and batches
publish one HIT per CSV row and download in MTurk's batch-results layout, from the site and the CLI."""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys

import pytest

from mturk_mock import MTurkMock, MTurkServer
from mturk_mock.cli import main

from .samples import ANSWER_KEY, TEST
from .site_client import SiteClient, client, flash, publish

REQUESTER = "AKIAREQUESTER"
TEMPLATE = """<p>Is ${word} a colour? (${lang})</p>
<input type="hidden" name="assignmentId">
<label><input type="radio" name="colour" value="yes"> yes</label>"""
CSV_ROWS = 'word,lang,unused\nred,en,x\n"bl<u>e, ""sky""",en,y\n\nrot,de,z\n'
HEADER_START = [
    "HITId",
    "HITTypeId",
    "Title",
    "Description",
    "Keywords",
    "Reward",
    "CreationTime",
    "MaxAssignments",
    "RequesterAnnotation",
    "AssignmentDurationInSeconds",
    "AutoApprovalDelayInSeconds",
    "Expiration",
    "NumberOfSimilarHITs",
    "LifetimeInSeconds",
    "AssignmentId",
    "WorkerId",
    "AssignmentStatus",
    "AcceptTime",
    "SubmitTime",
    "AutoApprovalTime",
    "ApprovalTime",
    "RejectionTime",
    "RequesterFeedback",
    "WorkTimeInSeconds",
    "LifetimeApprovalRate",
    "Last30DaysApprovalRate",
    "Last7DaysApprovalRate",
]


@pytest.fixture
def server():
    with MTurkServer(MTurkMock(), port=0) as running:
        yield running


@pytest.fixture
def site(server):
    browser = SiteClient(server)
    browser.act_as(REQUESTER)
    return browser


def submitted(server, hit_id: str, worker_id: str, answers: dict[str, str]) -> str:
    assignment = server.handle.worker(worker_id).accept(hit_id)
    assignment.submit(answers)
    return assignment.assignment_id


def test_pages_show_what_the_requester_owns(server, site):
    mine = publish(server, Title="Mine")
    theirs = publish(server, Title="Theirs", access_key="AKIAOTHER")
    listing = site.get("/requester/hits")
    assert mine in listing.text and theirs not in listing.text and "Assignable" in listing.text
    assert site.get(f"/requester/hits/{theirs}").status == 404
    client(server).update_notification_settings(
        HITTypeId=client(server).get_hit(HITId=mine)["HIT"]["HITTypeId"],
        Notification={"Destination": "me@example.com", "Transport": "Email", "Version": "2006-05-05",
                      "EventTypes": ["AssignmentSubmitted"]},
        Active=True,
    )  # fmt: skip
    assignment_id = submitted(server, mine, "A1WORKER", {"label": "a <cat>"})
    page = site.get(f"/requester/hits/{mine}")
    assert assignment_id in page.text and "a &lt;cat&gt;" in page.text and "Submitted" in page.text
    events = site.get("/requester/events").text
    assert "AssignmentSubmitted" in events and "HITCreated" in events and theirs not in events
    assert re.search(r"<td>AssignmentSubmitted</td>\s*<td>Email <code[^>]*>me@example.com</code></td>", events)


def test_buttons_are_calls_through_the_pipeline_as_the_requester(server, site):
    hit_id = publish(server)
    first = submitted(server, hit_id, "A1WORKER", {"label": "cat"})
    second = submitted(server, hit_id, "A2WORKER", {"label": "dog"})
    back = f"/requester/hits/{hit_id}"
    assert flash(site.post(f"/requester/assignments/{first}/approve", {"feedback": "Great", "back": back})) == (
        f"Approved {first}."
    )
    assert flash(site.post(f"/requester/assignments/{second}/reject", {"feedback": "Wrong", "back": back})) == (
        f"Rejected {second}."
    )
    again = site.post(f"/requester/assignments/{first}/approve", {"back": back})
    assert html.unescape(flash(again)).startswith(
        "ApproveAssignment: This operation can be called with a status of: Submitted"
    )
    calls = [(call.operation, call.requester, call.ok) for call in server.handle.calls[-3:]]
    assert calls == [
        ("ApproveAssignment", REQUESTER, True),
        ("RejectAssignment", REQUESTER, True),
        ("ApproveAssignment", REQUESTER, False),
    ]
    statuses = {a["AssignmentId"]: a["AssignmentStatus"] for a in client(server).list_assignments_for_hit(
        HITId=hit_id)["Assignments"]}  # fmt: skip
    assert statuses == {first: "Approved", second: "Rejected"}
    assert client(server).get_assignment(AssignmentId=first)["Assignment"]["RequesterFeedback"] == "Great"


def test_bonus_block_and_hit_controls(server, site):
    hit_id = publish(server)
    assignment_id = submitted(server, hit_id, "A1WORKER", {"label": "cat"})
    fields = {"worker_id": "A1WORKER", "amount": "0.75", "reason": "Thanks", "back": f"/requester/hits/{hit_id}"}
    assert "Sent a bonus of $0.75" in flash(site.post(f"/requester/assignments/{assignment_id}/bonus", fields))
    bonuses = client(server).list_bonus_payments(HITId=hit_id)["BonusPayments"]
    assert [(bonus["WorkerId"], bonus["BonusAmount"]) for bonus in bonuses] == [("A1WORKER", "0.75")]
    site.post("/requester/blocks", {"worker_id": "A1WORKER", "reason": "Spam"})
    assert "Spam" in site.get("/requester/blocks").text
    assert client(server).list_worker_blocks()["WorkerBlocks"] == [{"WorkerId": "A1WORKER", "Reason": "Spam"}]
    site.post("/requester/blocks/A1WORKER/delete")
    assert client(server).list_worker_blocks()["WorkerBlocks"] == []
    site.post(f"/requester/hits/{hit_id}/add-assignments", {"count": "2"})
    assert client(server).get_hit(HITId=hit_id)["HIT"]["MaxAssignments"] == 5
    site.post(f"/requester/hits/{hit_id}/expire")
    assert client(server).get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"
    assert server.handle.calls_to("UpdateExpirationForHIT")[0].request["ExpireAt"] == 0


def test_publishing_from_the_site_and_the_clock(server, site):
    page = site.post(
        "/requester/hits",
        {"title": "From the site", "description": "d", "reward": "0.10", "max_assignments": "1", "lifetime": "600",
         "assignment_duration": "300", "auto_approval_delay": "0", "question": client_question()},
    )  # fmt: skip
    hit_id = re.search(r'id="hit-id">([A-Z0-9]+)<', page.text).group(1)
    assert server.handle.calls[-1].operation == "CreateHIT" and server.handle.calls[-1].requester == REQUESTER
    refused = site.post("/requester/hits", {"title": "x", "description": "d", "reward": "0.1", "question": "<nope/>"})
    assert "CreateHIT: The value" in html.unescape(flash(refused))
    before = server.handle.clock.now()
    site.post("/requester/clock", {"amount": "2", "unit": "hours", "back": f"/requester/hits/{hit_id}"})
    assert server.handle.clock.now() - before >= 7200
    assert client(server).get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"  # expired after 600 s


def client_question() -> str:
    from .site_client import external_question

    return external_question()


def test_qualification_pages_and_requests(server, site):
    requester = client(server)
    qual = requester.create_qualification_type(
        Name="Reviewed", Description="Asked for", QualificationTypeStatus="Active", Test=TEST, TestDurationInSeconds=60
    )["QualificationType"]["QualificationTypeId"]
    server.handle.worker("A1WORKER").request_qualification(qual, answers={"sky": "blue", "primaries": ["r"]})
    page = site.get(f"/requester/qualifications/{qual}")
    assert "A1WORKER" in page.text and "primaries" in page.text  # the pending request with its answers
    request_id = re.search(r"/requester/qualification-requests/([A-Z0-9]+)/accept", page.text).group(1)
    site.post(f"/requester/qualification-requests/{request_id}/accept", {"value": "7"})
    assert (
        requester.get_qualification_score(QualificationTypeId=qual, WorkerId="A1WORKER")["Qualification"][
            "IntegerValue"
        ]
        == 7
    )
    site.post(f"/requester/qualifications/{qual}/grant", {"worker_id": "A2WORKER", "value": "3"})
    site.post(f"/requester/qualifications/{qual}/revoke", {"worker_id": "A1WORKER"})
    listed = requester.list_workers_with_qualification_type(QualificationTypeId=qual, Status="Granted")
    assert [(q["WorkerId"], q["IntegerValue"]) for q in listed["Qualifications"]] == [("A2WORKER", 3)]
    requester.create_qualification_type(
        Name="Scored", Description="d", QualificationTypeStatus="Active", Test=TEST, AnswerKey=ANSWER_KEY,
        TestDurationInSeconds=60,
    )  # fmt: skip
    listing = site.get("/requester/qualifications").text
    assert "Reviewed" in listing and "yes, scored by its answer key" in listing


# -- batches -----------------------------------------------------------------------------------------


def test_batch_from_the_site_publishes_a_hit_per_row_and_downloads_mturks_layout(server, site):
    body, content_type = multipart(
        {"name": "Colours", "title": "Colour words", "description": "Say whether it is a colour", "reward": "0.05",
         "max_assignments": "2", "keywords": "words", "csrf_token": site.token()},
        {"template_file": ("template.html", TEMPLATE), "csv_file": ("input.csv", CSV_ROWS)},
    )  # fmt: skip
    page = site.request("POST", "/requester/batches", body, {"Content-Type": content_type})
    assert "Published 3 HITs." in flash(page)
    created = [call for call in server.handle.calls if call.operation == "CreateHIT"]
    assert len(created) == 3 and all(call.request["HITLayoutId"] for call in created)
    assert created[1].request["HITLayoutParameters"] == [
        {"Name": "word", "Value": 'bl<u>e, "sky"'},
        {"Name": "lang", "Value": "en"},
    ]
    hit_ids = [call.response["HIT"]["HITId"] for call in created]
    assert "bl&lt;u&gt;e, &quot;sky&quot;" in client(server).get_hit(HITId=hit_ids[1])["HIT"]["Question"]
    first = submitted(server, hit_ids[0], "A1WORKER", {"colour": "yes", "note": "easy"})
    server.handle.clock.advance(1)  # rows come in SubmitTime order
    submitted(server, hit_ids[0], "A2WORKER", {"colour": "no"})
    client(server).approve_assignment(AssignmentId=first)
    download = site.get("/requester/batches/1/results.csv")
    assert download.header("content-type") == "text/csv; charset=utf-8"
    assert 'filename="Batch_1_batch_results.csv"' in download.header("content-disposition")
    assert download.text.startswith('"HITId","HITTypeId","Title"') and "\r\n" in download.text
    rows = list(csv.reader(io.StringIO(download.text)))
    header = rows[0]
    assert header == [*HEADER_START, "Input.word", "Input.lang", "Input.unused", "Answer.colour", "Answer.note",
                      "Approve", "Reject"]  # fmt: skip
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["WorkerId"], r["AssignmentStatus"], r["Answer.colour"], r["Answer.note"]) for r in records] == [
        ("A1WORKER", "Approved", "yes", "easy"),
        ("A2WORKER", "Submitted", "no", ""),
    ]
    record = records[0]
    assert (record["HITId"], record["Title"], record["Reward"], record["MaxAssignments"]) == (
        hit_ids[0], "Colour words", "$0.05", "2"
    )  # fmt: skip
    assert (record["Input.word"], record["Input.unused"], record["RequesterAnnotation"]) == ("red", "x", "BatchId:1;")
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}", record["SubmitTime"])
    assert record["LifetimeApprovalRate"] == "100% (1/1)" and records[1]["LifetimeApprovalRate"] == "0% (0/0)"
    assert record["WorkTimeInSeconds"] == "0" and record["Approve"] == record["Reject"] == ""
    assert "Colours" in site.get("/requester/batches").text and "red" in site.get("/requester/batches/1").text


def test_a_batch_needs_every_variable_of_its_template(server, site):
    page = site.post(
        "/requester/batches",
        {"title": "t", "description": "d", "reward": "0.05", "template": TEMPLATE, "csv": "word\nred\n"},
    )
    assert "no column for the template's variables: lang" in html.unescape(flash(page))
    assert [call.operation for call in server.handle.calls] == []


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "mturkmockboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]  # fmt: skip
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: text/plain\r\n\r\n{content}\r\n"
        for name, (filename, content) in files.items()
    ]
    return "".join(parts).encode() + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def batch_files(tmp_path) -> tuple[str, str]:
    template, rows = tmp_path / "template.html", tmp_path / "input.csv"
    template.write_text(TEMPLATE)
    rows.write_text(CSV_ROWS)
    return str(template), str(rows)


PROPERTIES = ["--title", "Colour words", "--description", "Say whether it is a colour", "--reward", "0.05"]


def test_cli_batch_on_a_state_file(tmp_path, capsys):
    template, rows = batch_files(tmp_path)
    state = str(tmp_path / "state.json")
    assert main(["batch", "publish", template, rows, *PROPERTIES, "--state", state, "--requester", REQUESTER]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "batch 1: published 3 HITs" and len(out) == 4
    handle = MTurkMock()
    handle.load_state(state)
    worker = handle.worker("A1WORKER")
    worker.accept(out[1]).submit({"colour": "yes"})
    handle.save_state(state)
    output = tmp_path / "results.csv"
    assert main(["batch", "results", "1", "--state", state, "--requester", REQUESTER, "-o", str(output)]) == 0
    records = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [(r["HITId"], r["Input.word"], r["Answer.colour"]) for r in records] == [(out[1], "red", "yes")]
    assert main(["batch", "results", "1", "--state", state]) == 1  # another requester has no batch 1
    assert "There is no batch 1" in capsys.readouterr().err


def test_cli_batch_against_a_running_server(server, tmp_path):
    template, rows = batch_files(tmp_path)
    command = [sys.executable, "-m", "mturk_mock", "batch"]
    published = subprocess.run(
        [*command, "publish", template, rows, *PROPERTIES, "--url", server.url, "--requester", REQUESTER],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    hit_ids = published.stdout.splitlines()[1:]
    assert [call.requester for call in server.handle.calls] == [REQUESTER] * 3
    server.handle.worker("A1WORKER").accept(hit_ids[2]).submit({"colour": "no"})
    results = subprocess.run(
        [*command, "results", "1", "--url", server.url, "--requester", REQUESTER],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    records = list(csv.DictReader(io.StringIO(results.stdout)))
    assert [(r["Input.word"], r["Answer.colour"]) for r in records] == [("rot", "no")]
    refused = subprocess.run(
        [*command, "publish", template, rows, "--title", "t", "--description", "d", "--reward", "",
         "--url", server.url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "needs a reward" in refused.stderr
