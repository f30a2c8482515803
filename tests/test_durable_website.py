"""Durable server state (issue 19) under the website and the batch command: what a worker or requester does
on the site, and a batch published on a state database, survive a crash exactly."""

from __future__ import annotations

import re

from mturk_mock import MTurkMock, MTurkServer
from mturk_mock.cli import main
from mturk_mock.durable import open_state
from mturk_mock.web.batches import results_csv

from .site_client import SiteClient, client, flash, publish
from .test_durable import START, _loopback_only, comparable, crash  # noqa: F401  (a fixture)
from .test_website_requester import CSV_ROWS, PROPERTIES, REQUESTER, TEMPLATE, batch_files, multipart


def test_website_actions_are_journaled_and_replayed_exactly(tmp_path):
    path = tmp_path / "state.db"
    mturk = MTurkMock()
    state = open_state(path, mturk)
    mturk.clock.freeze(START)
    with MTurkServer(mturk, port=0) as server:
        hit_id = publish(server)
        site = SiteClient(server)
        site.sign_in("A1WORKER", country="DE", approved="40", rejected="2", returned="0", abandoned="1")
        page = site.post(f"/worker/hits/{hit_id}/accept")  # in the server's I/O thread: must not wait forever
        kept = re.search(r'id="assignment-id">([A-Z0-9]+)<', page.text).group(1)
        fields = [("assignmentId", kept), ("colour", "blue"), ("tags", "a"), ("tags", "b")]
        assert site.post("/mturk/externalSubmit", fields, csrf=False, follow=False).status == 303
        site.sign_in("A2WORKER")
        page = site.post(f"/worker/hits/{hit_id}/accept")
        returned = re.search(r'id="assignment-id">([A-Z0-9]+)<', page.text).group(1)
        assert f"You returned assignment {returned}." in flash(site.post(f"/worker/assignments/{returned}/return"))

        site.act_as(REQUESTER)
        body, content_type = multipart(
            {"name": "Colours", "title": "Colour words", "description": "d", "reward": "0.05",
             "max_assignments": "2", "csrf_token": site.token()},
            {"template_file": ("template.html", TEMPLATE), "csv_file": ("input.csv", CSV_ROWS)},
        )  # fmt: skip
        page = site.request("POST", "/requester/batches", body, {"Content-Type": content_type})
        assert "Published 3 HITs." in flash(page)
        client(server).approve_assignment(AssignmentId=kept)
        results = results_csv(mturk, "sandbox", REQUESTER, "1")
    before = comparable(mturk.world)
    crash(state)

    restored = MTurkMock()
    again = open_state(path, restored)
    try:
        assert again.warnings == []
        assert comparable(restored.world) == before  # same IDs, batch rows, profiles, answers
        assert results_csv(restored, "sandbox", REQUESTER, "1") == results
        assert restored.world.marketplace("sandbox").assignments.by_id[kept].status == "Approved"
        assert restored.hit(hit_id).available == 2  # the returned slot is free again
    finally:
        again.close()


def test_batch_command_on_a_state_database_goes_through_its_journal(tmp_path, capsys):
    template, rows = batch_files(tmp_path)
    path = tmp_path / "state.db"
    server_state = open_state(path, MTurkMock())
    command = ["batch", "publish", template, rows, *PROPERTIES, "--state", str(path), "--requester", REQUESTER]
    assert main(command) == 1  # a server holds the database: refused, never overwritten
    assert "in use by another mturk-mock server" in capsys.readouterr().err
    server_state.close()

    assert main(command) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "batch 1: published 3 HITs"
    served = MTurkMock()
    state = open_state(path, served)  # still a state database, the batch in it
    try:
        batch = served.world.marketplace("sandbox").batches.by_id["1"]
        assert (batch.hit_ids, batch.owner, batch.rows[1][1]) == (out[1:], REQUESTER, ['bl<u>e, "sky"', "en", "y"])
        served.worker("A1WORKER").accept(out[1]).submit({"colour": "yes"})
    finally:
        crash(state)
    output = tmp_path / "results.csv"
    assert main(["batch", "results", "1", "--state", str(path), "--requester", REQUESTER, "-o", str(output)]) == 0
    assert '"red","en","x","yes"' in output.read_text()  # the submission made before the crash


def test_a_batch_stopped_by_a_refused_row_keeps_its_reason_across_a_crash(tmp_path):
    mturk = MTurkMock()
    state = open_state(tmp_path / "state.db", mturk)
    with MTurkServer(mturk, port=0) as server:
        site = SiteClient(server)
        site.act_as(REQUESTER)
        body, content_type = multipart(
            {"title": "t", "description": "d", "reward": "-1", "csrf_token": site.token()},
            {"template_file": ("template.html", "<p>${word}</p>"), "csv_file": ("input.csv", "word\nred\n")},
        )
        site.request("POST", "/requester/batches", body, {"Content-Type": content_type})
    error = mturk.world.marketplace("sandbox").batches.by_id["1"].error
    crash(state)
    restored = MTurkMock()
    again = open_state(tmp_path / "state.db", restored)
    try:
        assert error and error.startswith("Row 1:")
        assert restored.world.marketplace("sandbox").batches.by_id["1"].error == error
    finally:
        again.close()
