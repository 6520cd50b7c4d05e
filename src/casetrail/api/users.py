"""Accounts, units and API tokens. Administrators manage accounts; anyone makes their own tokens."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from casetrail.api.dependencies import AppSettings
from casetrail.api.openapi import error_responses
from casetrail.api.schemas.users import TokenCreate, TokenCreated, UnitCreate, UnitOut, UserCreate, UserOut
from casetrail.auth import service as auth_service
from casetrail.auth.models import User
from casetrail.http.deps import Ctx, DbSession

router = APIRouter(tags=["users"], responses=error_responses(403))


def user_out(session: Session, user: User) -> UserOut:
    return UserOut.from_user(user, auth_service.unit_names(session, [user.unit_id]))


@router.get("/users")
def list_users(session: DbSession, ctx: Ctx) -> list[UserOut]:
    """List every account (administrators)."""
    accounts = auth_service.list_users(session, ctx)
    names = auth_service.unit_names(session, [user.unit_id for user in accounts])
    return [UserOut.from_user(user, names) for user in accounts]


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=error_responses(409))
def create_user(body: UserCreate, session: DbSession, ctx: Ctx, settings: AppSettings) -> UserOut:
    """Create an account (administrators). A unit named here is created when it does not exist."""
    user = auth_service.create_user(
        session,
        ctx,
        settings,
        username=body.username,
        password=body.password.get_secret_value(),
        role=body.role,
        display_name=body.display_name,
        clearance=body.clearance,
        unit_name=body.unit,
    )
    return user_out(session, user)


@router.post("/users/{username}/tokens", status_code=status.HTTP_201_CREATED, responses=error_responses(404))
def create_token(username: str, body: TokenCreate, session: DbSession, ctx: Ctx) -> TokenCreated:
    """Create an API token for an account: your own, or anyone's as an administrator.

    The token is returned once; only its hash is stored.
    """
    token = auth_service.create_api_token(session, ctx, username, body.name, body.days)
    return TokenCreated(token=token, username=username, name=body.name, days=body.days)


@router.post("/units", status_code=status.HTTP_201_CREATED, responses=error_responses(404, 409))
def create_unit(body: UnitCreate, session: DbSession, ctx: Ctx) -> UnitOut:
    """Create a unit (administrators), optionally under a parent unit given by name."""
    unit = auth_service.create_unit(session, ctx, body.name, body.parent)
    return UnitOut.model_validate(unit)
