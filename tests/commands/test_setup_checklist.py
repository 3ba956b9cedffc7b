"""The setup checklist on the App Home of a new workspace, through signed requests."""

from __future__ import annotations

import pytest

from commands.home import home_view
from storage.models import Project
from storage.workspaces import ensure_workspace
from tests.commands.test_home import long_own_home
from tests.factories import MEMBER, TEAM, make_project
from workflows.workspace_setup import SetupProgress

ADMIN = "UADMIN001"
LEAD = "ULEAD0001"
HOME_OPENED = {"type": "app_home_opened", "tab": "home", "channel": "DHOME0001"}
TITLE = "*Set up pmo-bot*"


@pytest.fixture(autouse=True)
def people(slack_api):
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=True)
    slack_api.add_user(LEAD, "Lee Lead")
    slack_api.add_user(MEMBER, "Mo Member")


def configure(database, **values):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        for name, value in values.items():
            setattr(workspace, name, value)
        session.add(workspace)


def home_blocks(slack, slack_api, user):
    slack.event({**HOME_OPENED, "user": user})
    published = slack_api.last("views.publish")
    assert published["user_id"] == user
    return published["view"]["blocks"]


def checklist(blocks):
    """The checklist's lines, from its title to the divider after it (empty: none shown)."""
    texts = []
    for block in blocks:
        if block["type"] == "section" and block["text"]["text"].startswith(TITLE):
            texts.append(block["text"]["text"])
        elif texts and block["type"] == "divider":
            return texts
        elif texts:
            texts.append(block.get("text", {}).get("text") or block["elements"][0]["text"])
    return texts


def step(lines, title):
    return next(line for line in lines if f"*{title}*" in line)


def buttons(blocks):
    return [
        (b["accessory"]["text"]["text"], b["accessory"]["action_id"], b["accessory"]["value"])
        for b in blocks
        if b.get("accessory", {}).get("action_id", "").startswith("setup.")
    ]


def test_a_slack_admin_sees_every_step_to_do_on_a_fresh_workspace(slack, slack_api):
    blocks = home_blocks(slack, slack_api, ADMIN)
    lines = checklist(blocks)
    assert lines[0] == "*Set up pmo-bot* (0 of 4 done)"
    assert step(lines, "Digest channel") == (
        ":white_large_square: *Digest channel*: until one is set, the Monday digest goes "
        "nowhere. `/pmo settings`"
    )
    assert step(lines, "First project").endswith("`/pmo new`")
    assert buttons(blocks) == [
        ("Open settings", "setup.open_settings", "digest_channel"),
        ("Open settings", "setup.open_settings", "time_zone"),
        ("New project", "setup.new_project", "first_project"),
        ("Open settings", "setup.open_settings", "pmo_leads"),
    ]
    assert blocks[1]["text"]["text"] == lines[0]  # first, under the title


def test_an_ordinary_member_sees_no_checklist(slack, slack_api):
    assert checklist(home_blocks(slack, slack_api, MEMBER)) == []


def test_a_pmo_lead_sees_the_checklist_with_the_leads_ticked(slack, slack_api, database):
    configure(database, pmo_leads=[LEAD])
    lines = checklist(home_blocks(slack, slack_api, LEAD))
    assert lines[0] == "*Set up pmo-bot* (1 of 4 done)"
    assert step(lines, "PMO leads") == f":white_check_mark: *PMO leads*: <@{LEAD}>"


def test_a_time_zone_other_than_utc_counts_as_chosen(slack, slack_api, database):
    configure(database, time_zone="Europe/Paris")
    lines = checklist(home_blocks(slack, slack_api, ADMIN))
    assert step(lines, "Time zone") == ":white_check_mark: *Time zone*: Europe/Paris"


def published_home(slack_api, user):
    published = slack_api.last("views.publish")
    assert published["user_id"] == user
    return published["view"]["blocks"]


def test_steps_tick_off_as_they_are_done_from_home_and_the_list_goes_when_all_are(slack, slack_api):
    blocks = home_blocks(slack, slack_api, ADMIN)
    slack.click_in_home({"blocks": blocks}, "setup.open_settings", user=ADMIN)
    modal = slack.last_modal()
    assert modal.title == "pmo-bot settings"
    assert slack.submit(modal.enter({"Digest channel": "CDIGEST01"}), user=ADMIN).status == 200

    # Shown again once saved, without leaving the tab.
    blocks = published_home(slack_api, ADMIN)
    lines = checklist(blocks)
    assert lines[0] == "*Set up pmo-bot* (2 of 4 done)"
    assert step(lines, "Digest channel") == ":white_check_mark: *Digest channel*: <#CDIGEST01>"
    # Saved in the form, where the zone is shown: a workspace on UTC has chosen it.
    assert step(lines, "Time zone") == ":white_check_mark: *Time zone*: UTC"

    slack.click_in_home({"blocks": blocks}, "setup.new_project", user=ADMIN)
    modal = slack.last_modal()
    assert modal.title == "New project"
    project = {"Key": "apollo", "Name": "Apollo", "Project manager (PM)": MEMBER}
    assert slack.submit(modal.enter(project), user=ADMIN).status == 200
    blocks = published_home(slack_api, ADMIN)
    assert checklist(blocks)[0] == "*Set up pmo-bot* (3 of 4 done)"

    slack.click_in_home({"blocks": blocks}, "setup.open_settings", user=ADMIN)
    slack.submit(slack.last_modal().enter({"PMO leads": [LEAD]}), user=ADMIN)
    blocks = published_home(slack_api, ADMIN)
    assert checklist(blocks) == [] and buttons(blocks) == []
    assert "Your PMO" in blocks[0]["text"]["text"]


def test_the_settings_form_from_home_still_refuses_wrong_fields(slack, slack_api):
    blocks = home_blocks(slack, slack_api, ADMIN)
    slack.click_in_home({"blocks": blocks}, "setup.open_settings", user=ADMIN)
    reply = slack.submit(slack.last_modal().enter({"Digest time": "25:00"}), user=ADMIN)
    assert reply.json()["response_action"] == "errors"
    assert checklist(published_home(slack_api, ADMIN))[0] == "*Set up pmo-bot* (0 of 4 done)"


def test_someone_who_may_not_change_settings_is_refused_the_form(slack, slack_api, database):
    blocks = home_blocks(slack, slack_api, ADMIN)
    configure(database, pmo_leads=[LEAD])
    slack_api.users[ADMIN].is_admin = False  # no longer an admin since the tab was shown
    slack.click_in_home({"blocks": blocks}, "setup.open_settings", user=ADMIN)
    assert slack_api.calls_to("views.open") == []
    [told] = slack_api.dms(ADMIN)
    assert "can change pmo-bot's settings" in told.text


def test_a_finished_setup_asks_slack_nothing_more(slack, slack_api, database):
    configure(database, digest_channel="CDIGEST01", time_zone="Europe/Paris", pmo_leads=[LEAD])
    make_project(database)
    before = len(slack_api.calls_to("users.info"))
    assert checklist(home_blocks(slack, slack_api, ADMIN)) == []
    assert len(slack_api.calls_to("users.info")) == before


def test_new_project_in_the_checklist_opens_the_project_form(slack, slack_api):
    blocks = home_blocks(slack, slack_api, ADMIN)
    slack.click_in_home({"blocks": blocks}, "setup.new_project", user=ADMIN)
    assert slack.last_modal().title == "New project"


def test_the_checklist_shows_on_a_leaders_home_too(slack, slack_api, database):
    configure(database, pmo_leads=[LEAD])
    make_project(database)
    blocks = home_blocks(slack, slack_api, LEAD)
    assert blocks[0]["text"]["text"] == "Your PMO · the portfolio"
    assert checklist(blocks)[0] == "*Set up pmo-bot* (2 of 4 done)"


def test_pmo_help_says_to_run_settings_first(slack, slack_api):
    slack.command("/pmo", "help", user=MEMBER)
    first = slack_api.last_reply()["blocks"][1]["text"]["text"]
    assert first.startswith("*New here?* Run `/pmo settings` first to set the digest channel")


def test_a_long_home_with_the_checklist_still_fits_in_100_blocks():
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n:04d}", name="p", phase="Plan", created_by=MEMBER)
        for n in range(30)
    ]
    setup = SetupProgress(None, "UTC", False, False, [])
    blocks = home_view(long_own_home(projects), setup)["blocks"]
    assert len(blocks) <= 100
    assert checklist(blocks)[0] == "*Set up pmo-bot* (0 of 4 done)"
