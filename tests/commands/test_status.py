"""`/status`: the form, the short form, the post, history, honesty rules, permissions."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from storage.models import OutboxMessage, StatusUpdate
from tests.factories import MEMBER, OUTSIDER, PM, make_project

FIRST = {
    "Overall": "amber",
    "Schedule": "amber",
    "Scope": "green",
    "Budget": "green",
    "Resources": "red",
    "Percent complete": "35",
    "Summary": "Vendor API slipped a week.",
    "Accomplishments": "Load tests passed.",
    "Next steps": "Sign the vendor SLA.",
    "Blockers": "Vendor sandbox down",
    "Path to green": "Daily calls with the vendor until the sandbox is back.",
    "Spent to date": "120,000",
    "Forecast at completion": "260k",
}


def open_form(slack, user=PM, channel="CAPOLLO01", text=""):
    slack.command("/status", text, user=user, channel=channel)
    return slack.last_modal()


def post_via_form(slack, values, user=PM, channel="CAPOLLO01"):
    modal = open_form(slack, user=user, channel=channel).enter(values)
    return slack.submit(modal, user=user)


def updates(database):
    with database.session() as session:
        return session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()


def test_in_a_home_channel_the_form_is_for_that_project(slack, database):
    make_project(database)
    modal = open_form(slack)
    assert modal.title == "Status update"
    assert modal.initial("Project") == "APOLLO"
    assert modal.labels()[1:] == [
        "Overall",
        "Schedule",
        "Scope",
        "Budget",
        "Resources",
        "Team capacity for the next two weeks",
        "Percent complete",
        "Summary",
        "Accomplishments",
        "Next steps",
        "Blockers",
        "Path to green",
        "Spent to date",
        "Forecast at completion",
    ]
    assert modal.options("Overall") == ["green", "amber", "red", "hold"]


def test_elsewhere_the_form_offers_the_projects_the_pm_runs_first(slack, database):
    make_project(database, key="ZULU", pm=PM, members=[], channel_id="CZULU0001")
    make_project(database, key="ALPHA", pm=OUTSIDER, members=[PM], channel_id="CALPHA001")
    make_project(database, key="OTHER", pm=OUTSIDER, members=[], channel_id="COTHER001")
    modal = open_form(slack, channel="CRANDOM01")
    picker = modal.block("Project")["element"]
    groups = [
        (g["label"]["text"], [o["value"] for o in g["options"]]) for g in picker["option_groups"]
    ]
    assert groups == [("Projects you run", ["ZULU"]), ("Your other projects", ["ALPHA"])]
    assert modal.initial("Project") is None


def test_past_100_projects_the_picker_searches_as_you_type(slack, slack_api, database):
    for number in range(101):
        make_project(database, key=f"P{number:03d}", name=f"Project {number}", channel_id=None)
    modal = open_form(slack, channel="CRANDOM01")
    assert modal.block("Project")["element"]["type"] == "external_select"
    reply = slack.suggest(modal, "Project", "p05", user=PM)
    values = [option["value"] for option in reply.json()["options"]]
    assert values == [
        "P050",
        "P051",
        "P052",
        "P053",
        "P054",
        "P055",
        "P056",
        "P057",
        "P058",
        "P059",
    ]


def test_picking_a_project_refills_the_form_from_its_last_update(slack, slack_api, database):
    make_project(database, key="APOLLO", channel_id="CAPOLLO01")
    make_project(database, key="HERMES", channel_id="CHERMES01")
    post_via_form(
        slack, {**FIRST, "Summary": "Hermes is fine.", "Overall": "green"}, channel="CHERMES01"
    )
    modal = open_form(slack, channel="CRANDOM01")
    slack.pick(modal, "Project", "HERMES", user=PM)
    refilled = slack.last_modal()
    assert slack_api.last("views.update")["view_id"]
    assert refilled.initial("Project") == "HERMES"
    assert refilled.initial("Summary") == "Hermes is fine."
    assert refilled.initial("Percent complete") == "35"


def test_submitting_stores_the_update_and_posts_it_to_the_home_channel(slack, slack_api, database):
    make_project(database)
    reply = post_via_form(slack, FIRST)
    assert reply.status == 200 and reply.body == ""
    [update] = updates(database)
    assert (update.overall, update.resources, update.percent_complete) == ("amber", "red", 35)
    assert update.author == PM
    assert update.spent_to_date == 120000
    assert update.forecast_at_completion == 260000
    assert update.period == "2026-W48"
    [post] = slack_api.posts("CAPOLLO01")
    header = post.blocks[0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "APOLLO · Apollo launch — At risk"
    buttons = [
        e["text"]["text"] for b in post.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    # Issue 11: the sponsor, PMO leads and digest leaders acknowledge or comment here.
    assert buttons == ["View history", "Update again", "Acknowledge", "Comment"]
    assert "first update for this project" in post.all_text()
    assert "Daily calls with the vendor" in post.all_text()
    assert ":warning: 10,000 over budget" in post.all_text()


def test_the_next_weeks_post_says_what_changed(slack, slack_api, database, clock):
    make_project(database)
    post_via_form(slack, FIRST)
    clock.advance(days=7)
    post_via_form(
        slack,
        {
            "Overall": "green",
            "Resources": "green",
            "Percent complete": "50",
            "Path to green": "",
            "Blockers": "Vendor sandbox down\nSecurity review not booked",
            "Summary": "Back on track.",
        },
    )
    latest = slack_api.posts("CAPOLLO01")[-1].all_text()
    assert ":large_yellow_circle: At risk → :large_green_circle: On track" in latest
    assert "Resources: :red_circle: Off track → :large_green_circle: On track" in latest
    assert "Progress: +15 points" in latest
    assert "New blocker: Security review not booked" in latest
    assert "New blocker: Vendor sandbox down" not in latest


def test_the_form_is_prefilled_from_the_last_update_so_a_quiet_week_is_two_clicks(
    slack, database, clock
):
    make_project(database)
    post_via_form(slack, FIRST)
    clock.advance(days=7)
    modal = open_form(slack)
    assert modal.initial("Overall") == "amber"
    assert modal.initial("Resources") == "red"
    assert modal.initial("Summary") == "Vendor API slipped a week."
    assert modal.initial("Spent to date") == "120,000"
    assert slack.submit(modal, user=PM).body == ""
    first, second = updates(database)
    assert second.period == "2026-W49"
    for field in (
        "overall",
        "resources",
        "summary",
        "path_to_green",
        "spent_to_date",
        "percent_complete",
    ):
        assert getattr(second, field) == getattr(first, field)


def test_the_short_form_posts_with_that_rag_and_carries_the_rest(slack, slack_api, database, clock):
    make_project(database)
    post_via_form(slack, FIRST)
    clock.advance(days=7)
    slack.command(
        "/status", "apollo green Vendor is back, SLA signed.", user=PM, channel="CRANDOM01"
    )
    assert "Posted the APOLLO status (On track)" in slack_api.last_reply()["text"]
    _, latest = updates(database)
    assert latest.overall == "green"
    assert latest.summary == "Vendor is back, SLA signed."
    assert (latest.resources, latest.percent_complete, latest.blockers) == (
        "red",
        35,
        "Vendor sandbox down",
    )


def test_the_short_form_in_a_home_channel_needs_no_key(slack, database):
    make_project(database)
    slack.command("/status", "hold Paused for the budget review", user=PM, channel="CAPOLLO01")
    [update] = updates(database)
    assert update.overall == "hold"


def test_status_key_shows_the_last_update(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLLO", user=OUTSIDER)
    assert "no status update yet" in str(slack_api.last_reply()["blocks"])
    post_via_form(slack, FIRST)
    slack.command("/status", "APOLLO", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert "APOLLO · Apollo launch — At risk" in text
    assert "Vendor API slipped a week." in text


def test_history_shows_the_last_10_as_a_trend(slack, slack_api, database, clock):
    make_project(database)
    colours = [
        "green",
        "green",
        "amber",
        "red",
        "amber",
        "green",
        "green",
        "green",
        "amber",
        "green",
        "red",
        "green",
    ]
    for colour in colours:
        slack.command("/status", f"APOLLO {colour} week report path: recover", user=PM)
        clock.advance(days=7)
    slack.command("/status", "history APOLLO", user=OUTSIDER)
    blocks = slack_api.last_reply()["blocks"]
    trend = blocks[1]["text"]["text"].split("\n")[1].split()
    emoji = {
        "green": ":large_green_circle:",
        "amber": ":large_yellow_circle:",
        "red": ":red_circle:",
    }
    assert trend == [emoji[c] for c in colours[-10:]]
    assert blocks[2]["text"]["text"].count("week of ") == 10


def test_amber_or_red_needs_a_path_to_green(slack, database):
    make_project(database)
    reply = post_via_form(slack, {**FIRST, "Overall": "red", "Path to green": ""})
    errors = reply.json()["errors"]
    assert set(errors) == {"path_to_green"}
    assert "needs a path to green" in errors["path_to_green"]
    assert updates(database) == []


def test_the_short_form_asks_for_a_path_to_green_and_takes_one(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLLO red Vendor collapsed", user=PM)
    assert "path to green" in slack_api.last_reply()["text"]
    assert "path:" in slack_api.last_reply()["text"]
    assert updates(database) == []
    slack.command(
        "/status",
        "APOLLO red Vendor collapsed path: switch to the backup vendor by Friday",
        user=PM,
    )
    [update] = updates(database)
    assert update.summary == "Vendor collapsed"
    assert update.path_to_green == "switch to the backup vendor by Friday"


def test_green_while_a_dimension_is_red_is_accepted_but_flagged(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, {**FIRST, "Overall": "green", "Budget": "red"})
    [update] = updates(database)
    assert update.flagged
    assert update.flags == [
        "green overall while budget is off track",
        "green overall while resources is off track",
    ]
    assert (
        ":warning: *Flagged:* green overall while budget is off track"
        in slack_api.posts("CAPOLLO01")[0].all_text()
    )


def test_green_after_the_target_date_is_flagged(slack, database):
    make_project(database, target_date=date(2026, 11, 1))
    slack.command("/status", "APOLLO green All fine", user=PM)
    [update] = updates(database)
    assert update.flags == ["green overall though the target date 2026-11-01 has passed"]


def test_someone_not_on_the_project_is_refused_with_the_pm_named(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "", user=OUTSIDER, channel="CAPOLLO01")
    reply = slack_api.last_reply()["text"]
    assert "Only the PM and members of APOLLO post its status" in reply
    assert f"<@{PM}>" in reply
    assert slack_api.calls_to("views.open") == []
    slack.command("/status", "APOLLO green sneaky", user=OUTSIDER)
    assert f"<@{PM}>" in slack_api.last_reply()["text"]
    assert updates(database) == []


def test_a_member_may_post(slack, database):
    make_project(database)
    post_via_form(slack, FIRST, user=MEMBER)
    [update] = updates(database)
    assert update.author == MEMBER


def test_a_form_submitted_by_someone_not_on_the_project_is_refused_inline(slack, database):
    make_project(database)
    modal = open_form(slack).enter(FIRST)
    errors = slack.submit(modal, user=OUTSIDER).json()["errors"]
    assert "Only the PM and members" in errors["status_project"]
    assert updates(database) == []


def test_an_edit_in_the_same_week_keeps_the_earlier_version(slack, slack_api, database, clock):
    make_project(database)
    post_via_form(slack, FIRST)
    clock.advance(hours=3)
    post_via_form(slack, {"Summary": "Correction: vendor slipped two weeks."})
    first, second = updates(database)
    assert first.superseded_by_id == second.id
    assert second.superseded_by_id is None
    assert first.summary == "Vendor API slipped a week."
    assert first.period == second.period
    original, newer = slack_api.posts("CAPOLLO01")
    assert "replaced by a newer one" in original.all_text()
    assert "replaces the earlier update of this period" in newer.all_text()
    slack.command("/status", "history APOLLO", user=PM)
    assert "edited; 1 earlier version kept" in str(slack_api.last_reply()["blocks"])


def test_typed_mrkdwn_never_pings_or_links(slack, slack_api, database):
    make_project(database)
    sneaky = "<!channel> see <@U0BOSS001> and <http://evil.example|this> & that"
    post_via_form(slack, {**FIRST, "Summary": sneaky, "Blockers": "<!here> now"})
    [post] = slack_api.posts("CAPOLLO01")
    everything = post.all_text()
    for raw in ("<!channel>", "<!here>", "<@U0BOSS001>", "<http://evil.example|this>"):
        assert raw not in everything
    assert "&lt;!channel&gt; see &lt;@U0BOSS001&gt;" in everything
    [update] = updates(database)
    assert update.summary == sneaky  # stored as typed


def test_text_over_slacks_limits_is_cut_with_a_note_and_kept_whole(slack, slack_api, database):
    make_project(database)
    # Within the 3,000 characters a summary may have, but longer than a section once escaped.
    long_summary = "R&D " * 750
    slack.command("/status", f"APOLLO green {long_summary}", user=PM)
    [update] = updates(database)
    assert update.summary == long_summary.strip()
    [post] = slack_api.posts("CAPOLLO01")
    sections = [b["text"]["text"] for b in post.blocks if b["type"] == "section" and "text" in b]
    summary = next(s for s in sections if s.startswith("*Summary*"))
    assert len(summary) <= 3000
    assert summary.endswith("(cut to fit Slack)")


def test_an_unknown_key_is_named(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLO green fine", user=PM)
    assert slack_api.last_reply()["text"] == (
        "There is no project `APOLO` in this workspace. Did you mean `APOLLO`?"
    )


def test_percent_outside_0_to_100_and_non_numeric_money_are_inline_errors(slack, database):
    make_project(database)
    errors = post_via_form(
        slack, {**FIRST, "Percent complete": "150", "Spent to date": "lots"}
    ).json()["errors"]
    assert errors["percent_complete"] == "Percent complete is a whole number from 0 to 100."
    assert "is not an amount" in errors["spent_to_date"]
    assert updates(database) == []


def test_a_failed_channel_post_keeps_the_update_and_is_retried(
    slack, slack_api, database, clock, runtime
):
    make_project(database)
    slack_api.fail("chat.postMessage", status=503, times=3)
    assert post_via_form(slack, FIRST).body == ""
    assert len(updates(database)) == 1
    assert slack_api.posts("CAPOLLO01") == []
    with database.session() as session:
        waiting = session.exec(select(OutboxMessage)).one()
    assert waiting.status == "pending"
    clock.advance(minutes=1)
    runtime.deliverer.deliver()  # what the scheduler's outbox job runs
    [post] = slack_api.posts("CAPOLLO01")
    assert "APOLLO · Apollo launch — At risk" in post.all_text()


def test_the_view_history_button_answers_privately(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, FIRST)
    [post] = slack_api.posts("CAPOLLO01")
    slack.click(post, "status.history", user=OUTSIDER)
    reply = slack_api.last_reply()
    assert reply["replace_original"] is False
    assert "APOLLO · the last update" in str(reply["blocks"])


def test_the_update_again_button_opens_the_prefilled_form(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, FIRST)
    [post] = slack_api.posts("CAPOLLO01")
    slack.click(post, "status.update_again", user=PM)
    assert slack.last_modal().initial("Summary") == "Vendor API slipped a week."


def test_the_update_again_button_refuses_someone_not_on_the_project(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, FIRST)
    [post] = slack_api.posts("CAPOLLO01")
    opened = len(slack_api.calls_to("views.open"))
    slack.click(post, "status.update_again", user=OUTSIDER)
    assert "Only the PM and members of APOLLO post its status" in slack_api.last_reply()["text"]
    assert len(slack_api.calls_to("views.open")) == opened


def test_after_an_edit_the_form_is_prefilled_from_the_newer_version(slack, database, clock):
    make_project(database)
    post_via_form(slack, FIRST)
    clock.advance(hours=3)
    post_via_form(slack, {"Summary": "Correction: vendor slipped two weeks."})
    modal = open_form(slack)
    assert modal.initial("Summary") == "Correction: vendor slipped two weeks."
    assert modal.initial("Resources") == "red"


def test_someone_on_no_project_is_told_why_there_is_no_form(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "", user=OUTSIDER, channel="CRANDOM01")
    assert "not the PM or a member of any project" in slack_api.last_reply()["text"]
