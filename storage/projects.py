"""Projects and their roles: queries only, every one scoped by workspace."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import Project, ProjectRole, Role


def find_project(*, session: Session, team_id: str, key: str) -> Project | None:
    """The project with this key (any case) in this workspace, if there is one."""
    return session.exec(
        select(Project).where(Project.team_id == team_id, Project.key == key.upper())
    ).first()


# A channel's project: the active one whose home channel it is (bound: team_id, channel_id).
CHANNEL_PROJECT = (
    Project.team_id == bindparam("team_id"),
    Project.channel_id == bindparam("channel_id"),
    col(Project.archived).is_(False),
)
# Built once: every command typed in a project's channel asks it.
_IN_CHANNEL = select(Project).where(*CHANNEL_PROJECT)


def project_in_channel(*, session: Session, team_id: str, channel_id: str) -> Project | None:
    """The active project whose home channel this is, if any."""
    found = session.execute(_IN_CHANNEL, {"team_id": team_id, "channel_id": channel_id})
    return found.scalars().first()


def has_projects(*, session: Session, team_id: str) -> bool:
    """Whether the workspace has any project, archived ones included."""
    return (
        session.exec(select(Project.id).where(Project.team_id == team_id).limit(1)).first()
        is not None
    )


def project_keys(*, session: Session, team_id: str) -> list[str]:
    """Every project key in the workspace, archived ones included."""
    return list(session.exec(select(Project.key).where(Project.team_id == team_id)))


def list_projects(
    *, session: Session, team_id: str, include_archived: bool = False
) -> list[Project]:
    """The workspace's projects ordered by key."""
    statement = select(Project).where(Project.team_id == team_id)
    if not include_archived:
        statement = statement.where(col(Project.archived).is_(False))
    return list(session.exec(statement.order_by(col(Project.key))))


def roles_by_project(
    *, session: Session, team_id: str, project_ids: list[int]
) -> dict[int, dict[Role, list[str]]]:
    """For each project, the user ids holding each role, in a stable order."""
    result: dict[int, dict[Role, list[str]]] = {pid: defaultdict(list) for pid in project_ids}
    if not project_ids:
        return result
    rows = session.exec(
        select(ProjectRole)
        .where(ProjectRole.team_id == team_id, col(ProjectRole.project_id).in_(project_ids))
        .order_by(col(ProjectRole.id))
    )
    for row in rows:
        result[row.project_id][Role(row.role)].append(row.user_id)
    return result


def holders(*, session: Session, team_id: str, project_id: int, role: Role) -> list[str]:
    """The user ids holding `role` on the project."""
    return list(
        session.exec(
            select(ProjectRole.user_id)
            .where(
                ProjectRole.team_id == team_id,
                ProjectRole.project_id == project_id,
                ProjectRole.role == role,
            )
            .order_by(col(ProjectRole.id))
        )
    )


# Built once: each permission check asks it.
_ROLES_OF = select(ProjectRole.role).where(
    ProjectRole.team_id == bindparam("team_id"),
    ProjectRole.project_id == bindparam("project_id"),
    ProjectRole.user_id == bindparam("user_id"),
)


def roles_of(*, session: Session, team_id: str, project_id: int, user_id: str) -> set[Role]:
    """The roles one person holds on the project."""
    params = {"team_id": team_id, "project_id": project_id, "user_id": user_id}
    return {Role(role) for role in session.execute(_ROLES_OF, params).scalars()}


def projects_with_role(
    *, session: Session, team_id: str, user_id: str, roles: set[Role]
) -> list[Project]:
    """Active projects where the person holds any of `roles`, ordered by key."""
    found = session.exec(_with_role(team_id, user_id, roles))
    # Sorted here, as the pickers' roles are (see _HELD_ROLES).
    return sorted(found, key=lambda project: project.key)


def _with_role(team_id: str, user_id: str, roles: set[Role]) -> SelectOfScalar[Project]:
    return (
        select(Project)
        .join(ProjectRole, col(ProjectRole.project_id) == col(Project.id))
        .where(
            Project.team_id == team_id,
            col(Project.archived).is_(False),
            ProjectRole.team_id == team_id,
            ProjectRole.user_id == user_id,
            col(ProjectRole.role).in_([role.value for role in roles]),
        )
        .distinct()
    )


# Built once: the project pickers ask it on every form they open.
_HELD_ROLES = (
    select(Project.key, Project.name, ProjectRole.role)
    .join(ProjectRole, col(ProjectRole.project_id) == col(Project.id))
    .where(
        Project.team_id == bindparam("team_id"),
        col(Project.archived).is_(False),
        # Said of the role too, so the database starts from the person's roles (by the
        # index on workspace and person), not from every project of a large workspace.
        ProjectRole.team_id == bindparam("team_id"),
        ProjectRole.user_id == bindparam("user_id"),
        col(ProjectRole.role).in_(bindparam("roles", expanding=True)),
    )
    # Sorted here, not by the database: ordering by key would tempt it to walk every
    # project in key order.
)


def held_roles(
    *, session: Session, team_id: str, user_id: str, roles: set[Role]
) -> list[tuple[str, str, Role]]:
    """(key, name, role) for each of `roles` the person holds on an active project, by key:
    one query, no project loaded."""
    if not roles:
        return []
    params = {"team_id": team_id, "user_id": user_id, "roles": [role.value for role in roles]}
    rows = sorted(session.execute(_HELD_ROLES, params), key=lambda row: (row.key, row.role))
    return [(key, name, Role(role)) for key, name, role in rows]


def set_role_holders(
    *, session: Session, team_id: str, project_id: int, role: Role, user_ids: list[str]
) -> None:
    """Make exactly `user_ids` hold `role` on the project (in the caller's transaction)."""
    current = holders(session=session, team_id=team_id, project_id=project_id, role=role)
    wanted = list(dict.fromkeys(user_ids))
    removed = [user_id for user_id in current if user_id not in wanted]
    if removed:
        session.exec(  # type: ignore[call-overload]
            delete(ProjectRole).where(
                col(ProjectRole.team_id) == team_id,
                col(ProjectRole.project_id) == project_id,
                col(ProjectRole.role) == role.value,
                col(ProjectRole.user_id).in_(removed),
            )
        )
    for user_id in wanted:
        if user_id not in current:
            session.add(
                ProjectRole(team_id=team_id, project_id=project_id, user_id=user_id, role=role)
            )
